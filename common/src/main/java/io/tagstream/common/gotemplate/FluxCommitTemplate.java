package io.tagstream.common.gotemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Flux's data for an ImageUpdateAutomation's {@code messageTemplate} (image-automation-controller v1 {@code
 * TemplateData}): {@code .AutomationObject} (Name, Namespace; prints as {@code namespace/name}), {@code .Changed}
 * ({@code FileChanges}: file → object → changes, and the methods {@code Objects} and {@code Changes}) and {@code
 * .Values} ({@code messageTemplateValues}). Where Flux's order is Go's random map order ({@code Changes} over several
 * files, {@code Objects} for an object changed in two files), Tagstream's is sorted, so a message is the same each time.
 */
public final class FluxCommitTemplate {

    /** The object a change was made in; {@code name} is empty for e.g. a kustomization.yaml. */
    public record ObjectId(String name, String namespace, String apiVersion, String kind) {
        GoStruct go() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("Name", name);
            f.put("Namespace", namespace);
            f.put("APIVersion", apiVersion);
            f.put("Kind", kind);
            return GoStruct.of("update.ObjectIdentifier", f);
        }
    }

    /**
     * One value rewritten.
     *
     * @param file the path relative to the automation's update path, as Flux reports it
     * @param setter the marker's policy reference, e.g. {@code flux-system:podinfo:tag}
     */
    public record Change(String file, ObjectId object, String setter, String oldValue, String newValue) {}

    private FluxCommitTemplate() {}

    /**
     * Why Flux would not run this template, or empty: {@code .Updated} was removed from Flux's API (Flux marks such an
     * automation Stalled), and a field outside Flux's data cannot exist.
     */
    public static Optional<String> problem(GoTemplate t) {
        for (String f : t.rootFields()) {
            if (f.equals("Updated")) {
                return Optional.of("uses .Updated, which Flux removed from the template data: use .Changed"
                        + " (.Changed.Changes, .Changed.Objects, .Changed.FileChanges)");
            }
            if (!List.of("AutomationObject", "Changed", "Values").contains(f)) {
                return Optional.of("uses ." + f + ", which is not in Flux's template data (.AutomationObject, .Changed,"
                        + " .Values)");
            }
        }
        return Optional.empty();
    }

    /** The template's data for these changes, in Flux's shape. */
    public static GoStruct data(String namespace, String name, Map<String, String> values, List<Change> changes) {
        Map<String, Object> automation = new LinkedHashMap<>();
        automation.put("Name", name);
        automation.put("Namespace", namespace);
        GoStruct automationObject = GoStruct.of("types.NamespacedName", automation).withString(namespace + "/" + name);

        Map<String, Map<GoStruct, List<Object>>> files = new TreeMap<>(GoValues.KEY_ORDER);
        for (Change c : changes) {
            files.computeIfAbsent(c.file(), k -> new TreeMap<>(GoValues.KEY_ORDER))
                    .computeIfAbsent(c.object().go(), k -> new ArrayList<>())
                    .add(change(c));
        }
        Supplier<Object> objects = () -> {
            Map<GoStruct, List<Object>> all = new TreeMap<>(GoValues.KEY_ORDER);
            files.values().forEach(all::putAll);
            return all;
        };
        Supplier<Object> all = () -> {
            LinkedHashSet<Object> seen = new LinkedHashSet<>();
            files.values().forEach(o -> o.values().forEach(seen::addAll));
            return new ArrayList<>(seen);
        };
        GoStruct changed = GoStruct.of("update.ResultV2", Map.of("FileChanges", files))
                .withMethods(Map.of("Objects", objects, "Changes", all));

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("AutomationObject", automationObject);
        data.put("Changed", changed);
        data.put("Values", new TreeMap<>(values));
        return GoStruct.of("TemplateData", data);
    }

    private static GoStruct change(Change c) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("OldValue", c.oldValue());
        f.put("NewValue", c.newValue());
        f.put("Setter", c.setter());
        return GoStruct.of("update.Change", f);
    }
}
