package io.tagstream.notifier.adapters;

import io.tagstream.common.config.Alert;
import io.tagstream.common.config.Provider;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.notifier.core.DeliveryState;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** What each Alert delivered lately, and what it is failing to deliver: Flux's Alert status, with the reason. */
@Path("/api/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

    @Inject
    ConfigWatch config;

    @Inject
    NotifierState state;

    public record AlertStatus(String alert, String provider, String type, boolean ready, boolean suspended,
            int delivered, int retrying, int failed, Optional<Instant> lastDelivered, Optional<String> lastError,
            Optional<Instant> lastErrorAt) {}

    @GET
    @Operation(operationId = "listAlerts", summary = "Every Alert: its Provider, deliveries of the last hours, and the"
            + " last failure")
    @APIResponse(responseCode = "200", description = "One entry per Alert; one that is not ready (its Provider is"
            + " missing or of a type Tagstream does not send to) has the reason in lastError")
    public List<AlertStatus> list() {
        TagstreamConfig cfg = config.config();
        Map<String, DeliveryState> all = state.deliveries();
        var providers = cfg.byId(Provider.class);
        List<AlertStatus> out = new ArrayList<>();
        for (Alert a : cfg.alerts()) {
            String id = a.id().toString();
            List<DeliveryState> mine = all.values().stream().filter(s -> s.alert().equals(id)).toList();
            Optional<DeliveryState> lastError = mine.stream().filter(s -> s.lastError().isPresent()
                    && s.state() != DeliveryState.State.DELIVERED).max(Comparator.comparing(DeliveryState::at));
            Provider p = providers.get(a.providerRef());
            out.add(new AlertStatus(id, a.providerRef().toString(), p.type(), true, a.suspend() || p.suspend(),
                    count(mine, DeliveryState.State.DELIVERED), count(mine, DeliveryState.State.RETRYING),
                    count(mine, DeliveryState.State.FAILED) + count(mine, DeliveryState.State.UNCERTAIN),
                    mine.stream().filter(s -> s.state() == DeliveryState.State.DELIVERED).map(DeliveryState::at)
                            .max(Comparator.naturalOrder()),
                    lastError.flatMap(DeliveryState::lastError), lastError.map(DeliveryState::at)));
        }
        config.notReady().stream().filter(n -> n.kind().equals("Alert")).forEach(n -> out.add(new AlertStatus(
                n.id().toString(), "", "", false, false, 0, 0, 0, Optional.empty(), Optional.of(n.reason()), Optional.empty())));
        return out;
    }

    private static int count(List<DeliveryState> l, DeliveryState.State s) {
        return (int) l.stream().filter(x -> x.state() == s).count();
    }
}
