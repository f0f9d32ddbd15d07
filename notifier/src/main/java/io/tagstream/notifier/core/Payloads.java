package io.tagstream.notifier.core;

import io.tagstream.common.access.Hmac;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.ChatButtons;
import io.tagstream.common.config.Provider;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP request each Provider type sends for one event, as Flux's notifiers build it. {@code generic} and
 * {@code generic-hmac} post the event itself (Flux's bytes, see {@link FluxEvent#json()}); the chat types post their
 * own message shapes. Pure: the adapter sends what this returns.
 */
public final class Payloads {

    private Payloads() {}

    /** What is read from a Provider's secret; any of it may be absent. */
    public record ProviderSecrets(Optional<String> address, Optional<String> token, Map<String, String> headers,
            Optional<String> username, Optional<String> password) {

        public static final ProviderSecrets NONE = new ProviderSecrets(Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Optional.empty());

        @Override
        public String toString() {
            return "ProviderSecrets(***)"; // never in a log line
        }

        /** Values that must not appear in logs, audit records or statuses. */
        public List<String> sensitive() {
            List<String> s = new ArrayList<>();
            address.ifPresent(s::add);
            token.ifPresent(s::add);
            password.ifPresent(s::add);
            s.addAll(headers.values());
            return s;
        }
    }

    /** A request to send. {@code idempotent}: sending it twice has the effect of once (Matrix's transaction id). */
    public record HttpCall(String method, URI uri, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + uri.getScheme() + "://" + uri.getHost() + "/…"; // the path may hold a token
        }
    }

    /** The Provider cannot send (no address, no token): a configuration problem, not worth retrying. */
    public static final class NotSendable extends RuntimeException {
        public NotSendable(String message) {
            super(message);
        }
    }

    /** Flux's Slack address for the bot API, whose answer must say {@code "ok": true}. */
    public static final String SLACK_API = "https://slack.com/api/chat.postMessage";

    public static HttpCall request(Provider p, ProviderSecrets secrets, FluxEvent e, String deliveryId, URI telegramApi) {
        String address = secrets.address().or(p::address).orElse("");
        String username = secrets.username().or(p::username).orElse("");
        Map<String, String> headers = new LinkedHashMap<>();
        return switch (p.type()) {
            case "generic", "generic-hmac" -> {
                byte[] body = e.json();
                headers.put("Content-Type", "application/json");
                headers.put("gotk-component", e.reportingController());
                headers.putAll(secrets.headers());
                if (p.type().equals("generic-hmac")) {
                    String key = secrets.token().orElseThrow(() -> new NotSendable("generic-hmac needs the key 'token' in"
                            + " its secret"));
                    headers.put("X-Signature", "sha256=" + hmac(key, body));
                }
                yield new HttpCall("POST", uri(address, p), headers, body);
            }
            case "slack", "discord", "rocket" -> {
                String url = address;
                if (p.type().equals("discord") && !url.endsWith("/slack")) {
                    url = url.replaceAll("/+$", "") + "/slack"; // Discord's Slack-compatible endpoint
                }
                headers.put("Content-Type", "application/json");
                secrets.token().filter(t -> p.type().equals("slack")).ifPresent(t -> headers.put("Authorization", "Bearer " + t));
                yield new HttpCall("POST", uri(url, p), headers, slack(e, p.channel(), username).getBytes(StandardCharsets.UTF_8));
            }
            case "msteams" -> {
                headers.put("Content-Type", "application/json");
                yield new HttpCall("POST", uri(address, p), headers, msteams(e, address).getBytes(StandardCharsets.UTF_8));
            }
            case "googlechat" -> {
                headers.put("Content-Type", "application/json");
                yield new HttpCall("POST", uri(address, p), headers, googleChat(e).getBytes(StandardCharsets.UTF_8));
            }
            case "matrix" -> {
                String token = secrets.token().orElseThrow(() -> new NotSendable("matrix needs the key 'token' in its secret"));
                String room = p.channel().orElseThrow(() -> new NotSendable("matrix needs spec.channel, the room id"));
                headers.put("Content-Type", "application/json");
                headers.put("Authorization", "Bearer " + token);
                // the transaction id makes a resend of the same delivery one message in the room
                String url = address.replaceAll("/+$", "") + "/_matrix/client/v3/rooms/" + encode(room)
                        + "/send/m.room.message/" + io.tagstream.common.registry.RegistryClient.sha256(deliveryId.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
                yield new HttpCall("PUT", uri(url, p), headers, matrix(e).getBytes(StandardCharsets.UTF_8));
            }
            case "telegram" -> {
                String token = secrets.token().orElseThrow(() -> new NotSendable("telegram needs the key 'token' (the bot"
                        + " token) in its secret"));
                String chat = p.channel().orElseThrow(() -> new NotSendable("telegram needs spec.channel, the chat id"));
                headers.put("Content-Type", "application/json");
                String base = telegramApi.toString().replaceAll("/+$", "");
                yield new HttpCall("POST", URI.create(base + "/bot" + token + "/sendMessage"), headers,
                        telegram(e, chat).getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new NotSendable(Provider.unsupported(p.type()));
        };
    }

    private static URI uri(String address, Provider p) {
        if (address.isBlank()) {
            throw new NotSendable("no address: set spec.address or the key 'address' in the secret "
                    + p.secretRef().orElse("(no secretRef)"));
        }
        try {
            URI u = URI.create(address);
            if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).startsWith("http") || u.getHost() == null) {
                throw new NotSendable("the address is not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException ex) {
            throw new NotSendable("the address is not a URL"); // never the address itself: it may be a secret
        }
    }

    /** Flux's {@code <kind lowercased>/<name>.<namespace>}. */
    static String author(FluxEvent e) {
        return e.involvedObject().kind().toLowerCase(Locale.ROOT) + "/" + e.involvedObject().name() + "."
                + e.involvedObject().namespace();
    }

    /** Slack's (and Discord's, Rocket.Chat's) message: one attachment, a field per metadata entry. */
    static String slack(FluxEvent e, Optional<String> channel, String username) {
        List<String> fields = new ArrayList<>();
        e.metadata().forEach((k, v) -> fields.add(GoJson.object().field("title", k).field("value", v).field("short", false).end()));
        String firstLine = e.message().lines().findFirst().orElse("");
        String attachment = GoJson.object()
                .field("fallback", author(e) + ": " + firstLine)
                .field("color", e.severity() == FluxEvent.Severity.ERROR ? "danger" : "good")
                .field("author_name", author(e))
                .field("text", e.message())
                .raw("mrkdwn_in", "[\"text\"]")
                .raw("fields", GoJson.array(fields))
                .end();
        GoJson message = GoJson.object()
                .optional("channel", channel.orElse(""))
                .field("username", username.isEmpty() ? e.reportingController() : username)
                .field("icon_url", "")
                .field("icon_emoji", "")
                .raw("attachments", GoJson.array(List.of(attachment)));
        approvalButtons(e).ifPresent(blocks -> message.raw("blocks", blocks));
        return message.end();
    }

    /**
     * Our extension to Flux's Slack message: a pending promotion carries Approve and Reject buttons (Block Kit), which
     * Slack posts to the promoter's interactivity endpoint when the app has interactivity turned on.
     */
    static Optional<String> approvalButtons(FluxEvent e) {
        if (!e.involvedObject().kind().equals("ImagePromotion") || !e.reason().equals("Pending")) {
            return Optional.empty();
        }
        return ChatButtons.pendingSource(e.message()).map(source -> {
            String value = ChatButtons.value(new ResourceId(e.involvedObject().namespace(), e.involvedObject().name()), source);
            String text = GoJson.object().field("type", "mrkdwn").field("text", "*" + author(e) + "*: "
                    + e.message().lines().findFirst().orElse("")).end();
            String approve = GoJson.object().field("type", "button").field("action_id", ChatButtons.APPROVE)
                    .raw("text", GoJson.object().field("type", "plain_text").field("text", "Approve").end())
                    .field("style", "primary").field("value", value).end();
            String reject = GoJson.object().field("type", "button").field("action_id", ChatButtons.REJECT)
                    .raw("text", GoJson.object().field("type", "plain_text").field("text", "Reject").end())
                    .field("style", "danger").field("value", value).end();
            return GoJson.array(List.of(GoJson.object().field("type", "section").raw("text", text).end(),
                    GoJson.object().field("type", "actions").field("block_id", "tagstream.promotion")
                            .raw("elements", GoJson.array(List.of(approve, reject))).end()));
        });
    }

    /**
     * Microsoft Teams: a Workflows webhook gets an Adaptive Card in a message; a legacy Office 365 connector
     * ({@code *.webhook.office.com}) a MessageCard.
     */
    static String msteams(FluxEvent e, String address) {
        boolean error = e.severity() == FluxEvent.Severity.ERROR;
        if (URI.create(address).getHost() != null && URI.create(address).getHost().endsWith(".webhook.office.com")) {
            List<String> facts = new ArrayList<>();
            e.metadata().forEach((k, v) -> facts.add(GoJson.object().field("name", k).field("value", v).end()));
            String section = GoJson.object().field("activityTitle", author(e)).field("activitySubtitle", e.message())
                    .raw("facts", GoJson.array(facts)).end();
            return GoJson.object().field("@type", "MessageCard").field("@context", "https://schema.org/extensions")
                    .field("themeColor", error ? "FF0000" : "0076D7").field("summary", author(e))
                    .raw("sections", GoJson.array(List.of(section))).end();
        }
        List<String> body = new ArrayList<>();
        body.add(GoJson.object().field("type", "TextBlock").field("text", author(e)).field("weight", "bolder")
                .field("size", "medium").field("wrap", true).field("color", error ? "attention" : "good").end());
        body.add(GoJson.object().field("type", "TextBlock").field("text", e.message()).field("wrap", true).end());
        if (!e.metadata().isEmpty()) {
            List<String> facts = new ArrayList<>();
            e.metadata().forEach((k, v) -> facts.add(GoJson.object().field("title", k).field("value", v).end()));
            body.add(GoJson.object().field("type", "FactSet").raw("facts", GoJson.array(facts)).end());
        }
        String card = GoJson.object().field("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .field("type", "AdaptiveCard").field("version", "1.4").raw("body", GoJson.array(body)).end();
        String attachment = GoJson.object().field("contentType", "application/vnd.microsoft.card.adaptive")
                .raw("content", card).end();
        return GoJson.object().field("type", "message").raw("attachments", GoJson.array(List.of(attachment))).end();
    }

    /** Google Chat: a card with the object as header, the message, and the metadata as key-values. */
    static String googleChat(FluxEvent e) {
        List<String> sections = new ArrayList<>();
        sections.add(GoJson.object().raw("widgets", GoJson.array(List.of(GoJson.object()
                .raw("textParagraph", GoJson.object().field("text", e.message()).end()).end()))).end());
        if (!e.metadata().isEmpty()) {
            List<String> kv = new ArrayList<>();
            e.metadata().forEach((k, v) -> kv.add(GoJson.object().raw("keyValue", GoJson.object().field("topLabel", k)
                    .field("content", v).end()).end()));
            sections.add(GoJson.object().raw("widgets", GoJson.array(kv)).end());
        }
        String header = GoJson.object().field("title", author(e)).field("subtitle", e.severity().wire() + ": " + e.reason()).end();
        String card = GoJson.object().raw("header", header).raw("sections", GoJson.array(sections)).end();
        return GoJson.object().raw("cards", GoJson.array(List.of(card))).end();
    }

    /** Matrix: an {@code m.text} message, the severity as an emoji, then the object, message and metadata. */
    static String matrix(FluxEvent e) {
        return GoJson.object().field("msgtype", "m.text").field("body", plain(e)).end();
    }

    /** Telegram's sendMessage with MarkdownV2, everything escaped but the bold object line. */
    static String telegram(FluxEvent e, String chat) {
        StringBuilder text = new StringBuilder();
        text.append(e.severity() == FluxEvent.Severity.ERROR ? "💣" : "💫").append(" *").append(md(author(e))).append("*\n")
                .append(md(e.message()));
        if (!e.metadata().isEmpty()) {
            text.append("\n");
            e.metadata().forEach((k, v) -> text.append("\n• ").append(md(k)).append(": ").append(md(v)));
        }
        return GoJson.object().field("chat_id", chat).field("text", text.toString()).field("parse_mode", "MarkdownV2").end();
    }

    private static String plain(FluxEvent e) {
        StringBuilder b = new StringBuilder();
        b.append(e.severity() == FluxEvent.Severity.ERROR ? "💣 " : "💫 ").append(author(e)).append("\n").append(e.message());
        e.metadata().forEach((k, v) -> b.append("\n").append(k).append(": ").append(v));
        return b.toString();
    }

    /** Telegram's MarkdownV2 escaping: these characters must be preceded by a backslash. */
    static String md(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("_*[]()~`>#+-=|{}.!\\".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    public static String hmac(String key, byte[] body) {
        return HexFormat.of().formatHex(Hmac.sha256(key.getBytes(StandardCharsets.UTF_8), body));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Whether the answer means the message arrived: 2xx, and for Slack's bot API also {@code "ok": true}. */
    public static boolean accepted(Provider p, String address, int status, String body) {
        if (status < 200 || status > 299) {
            return false;
        }
        if (p.type().equals("slack") && address.equals(SLACK_API)) {
            return body.replaceAll("\\s", "").contains("\"ok\":true");
        }
        if (p.type().equals("telegram")) {
            return body.replaceAll("\\s", "").contains("\"ok\":true");
        }
        return true;
    }
}
