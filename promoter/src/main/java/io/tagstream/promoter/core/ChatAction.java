package io.tagstream.promoter.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.ChatButtons;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A button pressed in chat: approve or reject one promotion, by one chat user. Slack posts it as a form whose
 * {@code payload} field is the interaction's JSON ({@code type: block_actions}); the button's {@code action_id} is
 * {@code tagstream.approve} or {@code tagstream.reject}, its {@code value} names the promotion — by id, or as the
 * ImagePromotion and the image it waits with ({@code <namespace>/<name> <repository>:<tag>@<digest>}, what the
 * notifier's message carries), resolved to the id with {@link Gates#id}.
 */
public record ChatAction(Verb verb, String promotionId, String team, String user, String userName, Optional<String> responseUrl) {

    public enum Verb { APPROVE, REJECT }

    public static final String APPROVE = ChatButtons.APPROVE;
    public static final String REJECT = ChatButtons.REJECT;

    /** What was wrong with a request that is Slack's (signature checked) but not a button Tagstream made. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    /** The button value a pending promotion's message carries ({@link ChatButtons#value}). */
    public static String value(ResourceId promotion, ImageRef source) {
        return ChatButtons.value(promotion, source);
    }

    public static ChatAction parseSlack(byte[] formBody) throws Unreadable {
        String payload = null;
        for (String pair : new String(formBody, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("payload")) {
                payload = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        if (payload == null) {
            throw new Unreadable("the form has no payload field (Slack's interactivity posts payload=<json>)");
        }
        JsonNode p;
        try {
            p = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw new Unreadable("payload is not JSON");
        }
        if (!"block_actions".equals(p.path("type").asText())) {
            throw new Unreadable("payload type '" + p.path("type").asText() + "' is not a button press (block_actions)");
        }
        JsonNode action = p.path("actions").path(0);
        Verb verb = switch (action.path("action_id").asText()) {
            case APPROVE -> Verb.APPROVE;
            case REJECT -> Verb.REJECT;
            default -> throw new Unreadable("action_id '" + action.path("action_id").asText() + "' is not one of "
                    + APPROVE + ", " + REJECT);
        };
        String user = p.path("user").path("id").asText("");
        if (user.isEmpty()) {
            throw new Unreadable("payload names no user");
        }
        String team = p.path("team").path("id").asText(p.path("user").path("team_id").asText(""));
        return new ChatAction(verb, promotionId(action.path("value").asText("")), team, user, p.path("user").path("username").asText(user),
                Optional.ofNullable(p.path("response_url").textValue()).filter(u -> !u.isBlank()));
    }

    /** A promotion id as given, or the id of an ImagePromotion's promotion of an image. */
    static String promotionId(String value) throws Unreadable {
        String v = value.strip();
        int space = v.indexOf(' ');
        if (space < 0) {
            if (!v.matches("[A-Za-z0-9._:-]{1,200}")) {
                throw new Unreadable("the button's value names no promotion");
            }
            return v;
        }
        try {
            ResourceId promotion = ResourceId.parse(v.substring(0, space));
            ImageRef source = ImageRef.parse(v.substring(space + 1).strip());
            if (source.tag().isEmpty() || source.digest().isEmpty()) {
                throw new Unreadable("the button's image names no tag and digest");
            }
            return Gates.id(promotion, source.tag().get(), source.digest().get());
        } catch (IllegalArgumentException e) {
            throw new Unreadable("the button's value names no promotion: " + e.getMessage());
        }
    }
}
