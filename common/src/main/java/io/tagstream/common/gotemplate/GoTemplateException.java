package io.tagstream.common.gotemplate;

/**
 * A template that does not parse, uses something outside the supported subset, or fails while executing. The line is
 * the template's own, counted from 1; callers add the line of the YAML field that holds the template.
 */
public final class GoTemplateException extends RuntimeException {

    private final int line;

    public GoTemplateException(int line, String message) {
        super(message);
        this.line = line;
    }

    /** The template line the problem is on (1 for the first). */
    public int line() {
        return line;
    }

    @Override
    public String toString() {
        return "template line " + line + ": " + getMessage();
    }
}
