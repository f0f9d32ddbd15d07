package io.tagstream.common.events;

import java.util.Objects;

/**
 * Where a tag event sits among the events one scan published together. A consumer that decides on a whole listing
 * (policy-evaluator, as Flux does) stores every event of a batch and decides at its last one, so a first scan of 1,000
 * tags yields one selection, not one per prefix of the listing. Events without a batch (from a poller before batches)
 * are each a decision point.
 *
 * @param scan an id for the scan, the same on each of its events
 * @param seq this event's place in the batch, from 1
 * @param of how many events the batch has
 */
public record ScanBatch(String scan, int seq, int of) {

    public ScanBatch {
        Objects.requireNonNull(scan, "scan");
        if (seq < 1 || seq > of) {
            throw new IllegalArgumentException("batch position " + seq + " of " + of);
        }
    }

    /** Whether this is the batch's last event, where a consumer decides. */
    public boolean last() {
        return seq == of;
    }
}
