package io.tagstream.common.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rejections are written at most {@code limit} times per window for one action and subject; the ones beyond are
 * counted, and the next record written says how many were left out. A flood of forged webhooks costs one record per
 * few seconds, not one per request, and nothing is hidden: the count is in the trail.
 */
public final class AuditThrottle {

    private record Window(Instant start, int written, int suppressed) {}

    private final int limit;
    private final Duration window;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public AuditThrottle(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    /**
     * Whether a record for {@code key} may be written at {@code now}: empty if not (it is counted), otherwise how many
     * were left out before it (0 when none).
     */
    public Optional<Integer> admit(String key, Instant now) {
        int[] out = {-1};
        windows.compute(key, (k, w) -> {
            if (w == null || !now.isBefore(w.start().plus(window))) {
                out[0] = w == null ? 0 : w.suppressed();
                return new Window(now, 1, 0);
            }
            if (w.written() < limit) {
                out[0] = 0;
                return new Window(w.start(), w.written() + 1, w.suppressed());
            }
            return new Window(w.start(), w.written(), w.suppressed() + 1);
        });
        if (windows.size() > 10_000) {
            windows.entrySet().removeIf(e -> !now.isBefore(e.getValue().start().plus(window)));
        }
        return out[0] < 0 ? Optional.empty() : Optional.of(out[0]);
    }

    /** Control characters of untrusted text escaped, so that a tag or a header cannot forge a log line. */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
