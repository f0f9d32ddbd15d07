package io.tagstream.gitwriter.adapters;

import io.quarkus.qute.Engine;
import io.quarkus.qute.TemplateException;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.gitwriter.core.CommitMessage;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Setters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An automation's commit message: Go's text/template over Flux's data, as Flux renders it ({@link CommitMessage}), or,
 * when the automation's annotation {@value ImageUpdateAutomation#ENGINE_ANNOTATION} is {@code qute} (Tagstream's
 * extension), Qute over {@code automation}, {@code namespace}, {@code values} and {@code changes}.
 */
final class CommitMessages {

    private static final Engine QUTE = Engine.builder().addDefaults().build();

    private CommitMessages() {}

    static String render(ImageUpdateAutomation a, Map<String, ImageValues> values, List<Setters.Change> changes) {
        if (a.templateEngine() == ImageUpdateAutomation.TemplateEngine.GO) {
            return CommitMessage.render(a, changes);
        }
        String template = a.messageTemplate().orElse(ImageUpdateAutomation.DEFAULT_MESSAGE);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("automation", a.id().name());
        data.put("namespace", a.id().namespace());
        Map<String, String> flat = new LinkedHashMap<>();
        values.forEach((k, v) -> flat.put(k, v.image() + ":" + v.tag()));
        data.put("values", flat);
        data.put("changes", changes.stream().map(c -> Map.of("file", c.file(), "setter", c.setter(), "old", c.oldValue(),
                "new", c.newValue())).toList());
        try {
            return QUTE.parse(template).data(data).render();
        } catch (TemplateException e) {
            throw new CommitMessage.TemplateFailed("spec.git.commit.messageTemplate of " + a.id() + " (Qute): " + e.getMessage());
        }
    }
}
