package io.tagstream.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's notification Provider ({@code notification.toolkit.fluxcd.io/v1beta3}): where the notifier sends the events
 * its Alerts select, and how. The address may come from the secret's {@code address} key instead (a webhook URL is a
 * credential), as in Flux.
 *
 * @param secretRef the Secret with {@code address}, {@code token}, {@code headers}, {@code username}, {@code password}
 * @param certSecretRef the Secret whose {@code ca.crt} is the only CA trusted for the receiver's TLS certificate
 * @param proxySecretRef the Secret with the proxy's {@code address} and optional {@code username}/{@code password}
 * @param proxy Flux's deprecated {@code spec.proxy} URL, used when there is no proxySecretRef
 * @param timeout one send's bound; Flux's default is 15 s
 */
public record Provider(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        String type,
        Optional<String> address,
        Optional<String> channel,
        Optional<String> username,
        Optional<String> secretRef,
        Optional<String> certSecretRef,
        Optional<String> proxySecretRef,
        Optional<String> proxy,
        Optional<Duration> timeout,
        boolean suspend)
        implements Resource {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    /** Every {@code spec.type} Flux's Provider CRD allows. */
    public static final List<String> FLUX_TYPES = List.of("slack", "discord", "msteams", "rocket", "generic",
            "generic-hmac", "github", "gitlab", "gitea", "giteapullrequestcomment", "bitbucketserver", "bitbucket",
            "azuredevops", "googlechat", "googlepubsub", "webex", "sentry", "azureeventhub", "telegram", "lark", "matrix",
            "opsgenie", "alertmanager", "grafana", "githubdispatch", "githubpullrequestcomment",
            "gitlabmergerequestcomment", "pagerduty", "datadog", "nats", "zulip", "otel", "zoom", "incident.io");

    /** The types the notifier delivers to. */
    public static final List<String> SUPPORTED = List.of("generic", "generic-hmac", "slack", "discord", "rocket",
            "msteams", "googlechat", "matrix", "telegram");

    public Duration sendTimeout() {
        return timeout.orElse(DEFAULT_TIMEOUT);
    }

    /** Why a Flux type is not delivered to, for the Provider's not-ready reason. */
    public static String unsupported(String type) {
        String why = switch (type) {
            case "github", "gitlab", "gitea", "bitbucket", "bitbucketserver", "azuredevops" ->
                    "commit statuses are for a revision a controller applied; Tagstream's events are about commits it"
                            + " pushed, which no status check waits on";
            case "githubpullrequestcomment", "gitlabmergerequestcomment", "giteapullrequestcomment" ->
                    "Tagstream does not open pull requests yet";
            case "googlepubsub", "azureeventhub", "nats", "otel" -> "it is a message bus, not an HTTP webhook; read "
                    + "Tagstream's audit topic on Kafka instead";
            default -> "it is not implemented yet";
        };
        return "type '" + type + "' is not delivered to by Tagstream: " + why + ". Supported: "
                + String.join(", ", SUPPORTED);
    }
}
