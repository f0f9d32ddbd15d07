package io.tagstream.gitwriter.adapters;

import io.quarkus.qute.Engine;
import io.quarkus.qute.TemplateException;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Setters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An automation's commit message: its {@code messageTemplate} rendered with Qute over the automation, the values and
 * the changes actually applied, or Tagstream's default.
 */
final class CommitMessages {

    private static final Engine QUTE = Engine.builder().addDefaults().build();

    private CommitMessages() {}

    static String render(ImageUpdateAutomation a, Map<String, ImageValues> values, List<Setters.Change> changes) {
        String template = a.messageTemplate().orElse(ImageUpdateAutomation.DEFAULT_MESSAGE);
        try {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("automation", a.id().name());
            data.put("namespace", a.id().namespace());
            Map<String, String> flat = new LinkedHashMap<>();
            values.forEach((k, v) -> flat.put(k, v.image() + ":" + v.tag()));
            data.put("values", flat);
            data.put("changes", changes.stream().map(c -> Map.of("file", c.file(), "setter", c.setter(), "old", c.oldValue(),
                    "new", c.newValue())).toList());
            return QUTE.parse(template).data(data).render();
        } catch (TemplateException e) {
            return template; // not a Qute template (a Go template copied from Flux): use it as written
        }
    }
}
