package io.tagstream.gitwriter.core;

import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.gotemplate.FluxCommitTemplate;
import io.tagstream.common.gotemplate.GoTemplate;
import io.tagstream.common.gotemplate.GoTemplateException;
import java.nio.file.Path;
import java.util.List;

/**
 * An automation's commit message as Flux writes it: {@code messageTemplate} (or Flux's default) rendered as Go's
 * text/template over Flux's data. File names are relative to the automation's {@code update.path}, as Flux reports
 * them.
 */
public final class CommitMessage {

    /** A template that failed while running: Flux fails the update the same way, and nothing is committed. */
    public static final class TemplateFailed extends RuntimeException {
        public TemplateFailed(String message) {
            super(message);
        }
    }

    private CommitMessage() {}

    public static String render(ImageUpdateAutomation a, List<Setters.Change> changes) {
        return render(a, a.messageTemplate().orElse(ImageUpdateAutomation.DEFAULT_MESSAGE), changes);
    }

    /** Another template over the commit message's data: a pull request's title or body. */
    public static String render(ImageUpdateAutomation a, String template, List<Setters.Change> changes) {
        Path base = Path.of(a.updatePath()).normalize();
        List<FluxCommitTemplate.Change> flux = changes.stream().map(c -> new FluxCommitTemplate.Change(
                relative(base, c.file()), c.object(), c.setter(), c.oldValue(), c.newValue())).toList();
        try {
            return GoTemplate.parse(template).execute(FluxCommitTemplate.data(a.id().namespace(), a.id().name(),
                    a.messageTemplateValues(), flux));
        } catch (GoTemplateException e) {
            throw new TemplateFailed("spec.git.commit.messageTemplate of " + a.id() + ", template line " + e.line() + ": "
                    + e.getMessage());
        }
    }

    private static String relative(Path base, String file) {
        Path f = Path.of(file).normalize();
        return base.toString().isEmpty() || !f.startsWith(base) ? file : base.relativize(f).toString();
    }
}
