package io.tagstream.common.events;

import io.tagstream.common.config.ResourceId;
import java.util.Optional;

/**
 * The contract between a chat message with Approve/Reject buttons (the notifier builds it for a pending promotion)
 * and the promoter's interactivity endpoint that receives the press: the buttons' action ids and the value that names
 * the promotion, {@code <namespace>/<name> <repository>:<tag>@<digest>} (the ImagePromotion and the image it waits
 * with; the promoter derives the promotion's id from them).
 */
public final class ChatButtons {

    public static final String APPROVE = "tagstream.approve";
    public static final String REJECT = "tagstream.reject";

    private ChatButtons() {}

    public static String value(ResourceId promotion, ImageRef source) {
        return promotion + " " + source;
    }

    /**
     * The image a {@code promotion.pending} audit record's reason starts with ({@code <ref>: …}, as the promoter writes
     * it); empty when the reason does not start with a ref that has a tag and a digest.
     */
    public static Optional<ImageRef> pendingSource(String reason) {
        int colon = reason.indexOf(": ");
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            ImageRef ref = ImageRef.parse(reason.substring(0, colon));
            return ref.tag().isPresent() && ref.digest().isPresent() ? Optional.of(ref) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
