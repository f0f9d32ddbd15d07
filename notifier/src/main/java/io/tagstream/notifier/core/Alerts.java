package io.tagstream.notifier.core;

import io.tagstream.common.config.Alert;
import io.tagstream.common.config.GoRegex;
import io.tagstream.common.config.Provider;
import io.tagstream.common.config.TagstreamConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Alerts an event goes to, by Flux's rules: an Alert that is not suspended, whose Provider is not suspended,
 * with an {@code eventSources} entry naming the object (kind, name or {@code *} with {@code matchLabels}, the Alert's
 * namespace unless the entry names one), whose {@code eventSeverity} admits the event ({@code info} admits all,
 * {@code error} only errors), whose {@code inclusionList} (when set) matches the message and whose
 * {@code exclusionList} does not. The Alert's {@code eventMetadata} and {@code summary} are merged into the event's
 * metadata; the event's own keys win, as in Flux.
 */
public final class Alerts {

    private Alerts() {}

    /** One Alert an event goes to, with the event as that Alert sends it. */
    public record Routed(Alert alert, Provider provider, FluxEvent event) {}

    public static List<Routed> route(FluxEvent event, Map<String, String> objectLabels, TagstreamConfig config) {
        List<Routed> out = new ArrayList<>();
        var providers = config.byId(Provider.class);
        for (Alert a : config.alerts()) {
            Provider p = providers.get(a.providerRef());
            if (p == null || a.suspend() || p.suspend() || !sends(a, event, objectLabels)) {
                continue;
            }
            out.add(new Routed(a, p, enrich(a, event)));
        }
        return out;
    }

    static boolean sends(Alert a, FluxEvent e, Map<String, String> objectLabels) {
        if (a.errorsOnly() && e.severity() != FluxEvent.Severity.ERROR) {
            return false;
        }
        boolean source = a.eventSources().stream().anyMatch(s -> names(s, a, e.involvedObject(), objectLabels));
        if (!source) {
            return false;
        }
        if (!a.inclusionList().isEmpty() && a.inclusionList().stream().noneMatch(r -> GoRegex.compile(r).matcher(e.message()).find())) {
            return false;
        }
        return a.exclusionList().stream().noneMatch(r -> GoRegex.compile(r).matcher(e.message()).find());
    }

    private static boolean names(Alert.Source s, Alert a, FluxEvent.InvolvedObject o, Map<String, String> labels) {
        String ns = s.namespace().orElse(a.id().namespace());
        if (!s.kind().equalsIgnoreCase(o.kind()) || !ns.equals(o.namespace())) {
            return false;
        }
        if (s.name().equals("*")) {
            return s.matchLabels().entrySet().stream().allMatch(l -> l.getValue().equals(labels.get(l.getKey())));
        }
        return s.name().equals(o.name());
    }

    static FluxEvent enrich(Alert a, FluxEvent e) {
        if (a.eventMetadata().isEmpty() && a.summary().isEmpty()) {
            return e;
        }
        Map<String, String> m = new LinkedHashMap<>();
        a.summary().ifPresent(s -> m.put("summary", s));
        m.putAll(a.eventMetadata());
        m.putAll(e.metadata()); // the event's own keys win
        return e.withMetadata(m);
    }
}
