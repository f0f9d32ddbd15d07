package io.tagstream.promoter.adapters;

import io.tagstream.promoter.core.Promotion;
import io.tagstream.promoter.core.StateKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The leader's answer to a {@link Request}, stored in the state topic under {@link StateKey.OfReply}: the pod that
 * took the request over REST follows that topic and answers with it, and a redelivered request finds it and is not
 * applied twice.
 *
 * @param status the HTTP status the request gets: 200, or 404/409 when refused
 * @param error why it was refused
 * @param promotions the promotions it changed
 */
public record Reply(String request, int status, Optional<String> error, List<Promotion> promotions, Instant at) {

    public Reply {
        error = error == null ? Optional.empty() : error;
        promotions = promotions == null ? List.of() : List.copyOf(promotions);
    }

    public String key() {
        return new StateKey.OfReply(request).encode();
    }
}
