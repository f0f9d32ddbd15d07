package io.tagstream.common.config;

/** One problem in the configuration, with the file and line to edit. */
public record ConfigError(String file, int line, String message) {

    @Override
    public String toString() {
        return message + " (" + file + ":" + line + ")";
    }
}
