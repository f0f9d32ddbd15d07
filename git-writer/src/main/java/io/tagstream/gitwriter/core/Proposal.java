package io.tagstream.gitwriter.core;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What an automation in pull-request mode proposes and where: the changes its head branch carries over the base
 * (marker → what was approved), the title and body that describe them, and the request on the forge. Stored in
 * git-writer's state topic under the automation's scope ({@link StateKey.Proposed}), so a restarted or new pod finds
 * the request instead of opening a second one.
 *
 * @param synced whether the forge shows this title and body (false between a push and the forge's answer: the next
 *     run, or the retry after a forge error, finishes it)
 */
public record Proposal(Map<String, Item> pending, String title, String body, Optional<ChangeRequest> request, boolean synced,
        Instant at) {

    /** One pending change: the values, the file and old value in the base, and the approval that asked for it. */
    public record Item(ImageValues values, String file, String from, String to, String promotion, String approvedBy,
            String correlation) {}

    public Proposal {
        pending = Map.copyOf(pending);
        request = request == null ? Optional.empty() : request;
    }

    public static Proposal none() {
        return new Proposal(Map.of(), "", "", Optional.empty(), true, Instant.EPOCH);
    }

    /** The values still proposed, for markers the person closing a request did not reject. */
    public Map<String, ImageValues> values() {
        Map<String, ImageValues> out = new java.util.TreeMap<>();
        pending.forEach((k, v) -> out.put(k, v.values()));
        return out;
    }
}
