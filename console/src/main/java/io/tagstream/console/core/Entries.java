package io.tagstream.console.core;

import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Event;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What one record of the chain's topics says, as one feed line. */
public final class Entries {

    private Entries() {}

    public static Entry of(CloudEvent<? extends Event> e) {
        Event d = e.data();
        if (d instanceof AuditRecord a) {
            return new Entry(0, a.time(), "audit", a.service(), a.action(), a.outcome().name().toLowerCase(Locale.ROOT), a.subject(),
                    a.reason(), a.correlationId().or(() -> Optional.of(e.correlationId())));
        }
        String type = e.type().name().toLowerCase(Locale.ROOT).replace('_', '-');
        return new Entry(0, e.time(), type, e.source(), type, "ok", d.subject(), text(d), Optional.of(e.correlationId()));
    }

    static String text(Event d) {
        if (d instanceof TagDiscovered t) {
            return "tag " + t.tag() + " of " + t.repository() + " is at " + abbrev(t.digest())
                    + t.pushedBy().map(p -> ", pushed by " + p).orElse("");
        }
        if (d instanceof TagRemoved t) {
            return "tag " + t.tag() + " of " + t.repository() + " is gone";
        }
        if (d instanceof PolicyMatched p) {
            return "policy " + p.policy() + " selects " + p.tag() + p.previous().map(t -> " (was " + t.tag() + ")").orElse("");
        }
        if (d instanceof PromotionApproved p) {
            return "promotion " + p.promotion() + " approved by " + p.approvedBy() + ": " + p.target();
        }
        if (d instanceof CommitPushed c) {
            String changes = c.changes().stream().map(ch -> ch.file() + " " + ch.oldValue() + " → " + ch.newValue())
                    .collect(Collectors.joining("; "));
            return "commit " + abbrev(c.commit()) + " pushed to " + c.branch() + " of " + c.repository()
                    + c.changeRequest().map(r -> " (" + r.url() + ")").orElse("") + (changes.isEmpty() ? "" : ": " + changes);
        }
        return d.subject();
    }

    private static String abbrev(String digestOrSha) {
        String s = digestOrSha.startsWith("sha256:") ? digestOrSha.substring(7) : digestOrSha;
        return (digestOrSha.startsWith("sha256:") ? "sha256:" : "") + (s.length() > 12 ? s.substring(0, 12) : s);
    }
}
