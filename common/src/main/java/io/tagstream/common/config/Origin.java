package io.tagstream.common.config;

import java.util.Map;

/**
 * Where a resource was written: its file (relative to the config directory), the line of its document, and the line
 * of each field read, so a later check (a semver range, a cross reference) can point at the exact line.
 */
public record Origin(String file, int line, Map<String, Integer> fieldLines) {

    public Origin {
        // a read-only view of the document's line map: fields read after the record was built still have their line
        fieldLines = java.util.Collections.unmodifiableMap(fieldLines);
    }

    /** {@code file:line} of a field path such as {@code spec.policy.semver.range}, or of the document. */
    public String at(String fieldPath) {
        return file + ":" + fieldLines.getOrDefault(fieldPath, line);
    }

    public int lineOf(String fieldPath) {
        return fieldLines.getOrDefault(fieldPath, line);
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
