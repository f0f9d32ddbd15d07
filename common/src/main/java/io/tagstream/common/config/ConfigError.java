package io.tagstream.common.config;

/**
 * One problem in the configuration, with the file and line to edit; {@code line} 0 when the problem is the file as a
 * whole (unreadable, too large), and then none is printed.
 */
public record ConfigError(String file, int line, String message) {

    @Override
    public String toString() {
        return message + " (" + file + (line > 0 ? ":" + line : "") + ")";
    }
}
