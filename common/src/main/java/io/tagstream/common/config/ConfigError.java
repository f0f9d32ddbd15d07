package io.tagstream.common.config;

/**
 * One problem in the configuration, with the file and line to edit; {@code line} 0 when the problem is the file as a
 * whole (unreadable, too large), and then none is printed.
 */
public record ConfigError(String file, int line, String message) {

    /** A value quoted from the configuration longer than this is shown by its start and its length. */
    static final int QUOTED = 80;

    private static final java.util.regex.Pattern LONG_QUOTE = java.util.regex.Pattern.compile("'([^']{" + (QUOTED + 1) + ",})'");

    /**
     * Errors quote what the user wrote, and go to logs, the audit topic and every readiness check: a value of thousands
     * of characters (a mistaken paste, or a hostile file) is cut to its first {@value #QUOTED} characters and its
     * length, and control characters are escaped, so an error stays one readable line.
     */
    public ConfigError {
        java.util.regex.Matcher m = LONG_QUOTE.matcher(message == null ? "" : message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = m.group(1);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
                    "'" + v.substring(0, QUOTED) + "…' (" + v.length() + " characters)"));
        }
        m.appendTail(out);
        StringBuilder clean = new StringBuilder(out.length());
        out.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                clean.append(String.format("\\u%04x", c));
            } else {
                clean.appendCodePoint(c);
            }
        });
        message = clean.toString();
    }

    @Override
    public String toString() {
        return message + " (" + file + (line > 0 ? ":" + line : "") + ")";
    }
}
