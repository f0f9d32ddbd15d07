package io.tagstream.common.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's ImageUpdateAutomation: which git repository and branch to update, where in it, and how to commit and push.
 *
 * @param templateEngine how {@code messageTemplate} is rendered: Go's text/template over Flux's data, as Flux does, or
 *     Qute when the annotation {@value #ENGINE_ANNOTATION} says {@code qute} (a Tagstream extension)
 * @param messageTemplateValues Flux's {@code .Values} in the template
 * @param checkoutRef the branch to check out; Flux falls back to the GitRepository's ref
 * @param pushBranch push to this branch instead of the checkout branch (created from it when missing)
 * @param pushOptions git push options, e.g. GitLab's {@code merge_request.create}
 * @param pullRequest propose the push branch to the checkout branch as a pull request (Tagstream's extension)
 * @param updatePath directory, relative to the repository root, whose files are scanned for setter markers
 * @param policySelector only policies with these labels are applied; empty selects all
 */
public record ImageUpdateAutomation(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        ResourceId sourceRef,
        Optional<GitRef> checkoutRef,
        Author author,
        Optional<String> signingKeySecretRef,
        Optional<String> messageTemplate,
        TemplateEngine templateEngine,
        Map<String, String> messageTemplateValues,
        Optional<String> pushBranch,
        Optional<String> pushRefspec,
        Map<String, String> pushOptions,
        Optional<PullRequest> pullRequest,
        String updatePath,
        String updateStrategy,
        Map<String, String> policySelector,
        Optional<Duration> interval,
        boolean suspend)
        implements Resource {

    /** Flux's commit message when no template is set. */
    public static final String DEFAULT_MESSAGE = "Update from image update automation";

    /**
     * Flux's rule for which policies an automation applies: those in its own namespace whose labels match
     * {@code policySelector.matchLabels} (no selector: all of them).
     */
    public boolean selects(ResourceId policy, Map<String, String> policyLabels) {
        return policy.namespace().equals(id.namespace())
                && policySelector.entrySet().stream().allMatch(l -> l.getValue().equals(policyLabels.get(l.getKey())));
    }

    /** The source of {@code push.refspec} ({@code src} of {@code src:dst}); the loader refuses any other shape. */
    public Optional<String> pushRefspecSource() {
        return pushRefspec.filter(r -> r.indexOf(':') > 0).map(r -> r.substring(0, r.indexOf(':')));
    }

    /** Where {@code push.refspec} pushes the commit ({@code dst} of {@code src:dst}). */
    public Optional<String> pushRefspecDestination() {
        return pushRefspec.filter(r -> r.indexOf(':') > 0).map(r -> r.substring(r.indexOf(':') + 1));
    }

    /** The annotation that selects Qute for {@code messageTemplate} (Tagstream's extension; Flux ignores it). */
    public static final String ENGINE_ANNOTATION = "tagstream.io/message-template";

    public enum TemplateEngine { GO, QUTE }

    public record Author(String name, String email) {}
}
