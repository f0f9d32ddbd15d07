package io.tagstream.gitwriter.core;

import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.PullRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pull-request mode's decisions, without I/O: which pending changes a run carries on, what the request's title and
 * body say, and what to ask the forge (open, edit, close, or nothing). One open request per automation and head
 * branch, always listing every pending change; a request a person closed unmerged takes its refs with it.
 */
public final class PullRequests {

    private PullRequests() {}

    /** The next call to the forge. */
    public sealed interface Step {}

    /** Open a request (none is open for the head branch). */
    public record Create() implements Step {}

    /** Rewrite the open request's title and body. */
    public record Edit(long number) implements Step {}

    /** Close the open request: nothing is pending any more; {@code body} is its description with why on top. */
    public record Close(long number, String body) implements Step {}

    /** The forge shows what it should: no call. */
    public record Keep(long number) implements Step {}

    /** Nothing pending and nothing open. */
    public record Nothing() implements Step {}

    /**
     * The changes a run rebuilds the head branch with: those still pending (unless the request that carried them was
     * closed or merged: closed unmerged is a rejection, merged ones are in the base), then the new ones.
     */
    public static Map<String, ImageValues> carried(Proposal before, Optional<ChangeRequest> now, Map<String, ImageValues> fresh) {
        Map<String, ImageValues> out = new TreeMap<>();
        boolean stillOpen = now.map(ChangeRequest::open).orElse(before.request().isEmpty());
        if (stillOpen) {
            out.putAll(before.values());
        }
        out.putAll(fresh);
        return out;
    }

    /** What to ask the forge, given the request as it is now and whether the head branch carries any change. */
    public static Step next(Optional<ChangeRequest> now, boolean pending, String title, String body, String base) {
        boolean open = now.map(ChangeRequest::open).orElse(false);
        if (!pending) {
            return open ? new Close(now.get().number(), "Closed by Tagstream: every change this pull request carried is in `"
                    + base + "` already, so there is nothing left to propose.\n\n" + now.get().body()) : new Nothing();
        }
        if (!open) {
            return new Create();
        }
        return now.get().shows(title, body) ? new Keep(now.get().number()) : new Edit(now.get().number());
    }

    /** The draft marker in a title where the forge has no draft flag: Gitea's {@code WIP:}, GitLab's {@code Draft:}. */
    public static String title(PullRequest pr, String title) {
        if (!pr.draft()) {
            return title;
        }
        return switch (pr.provider()) {
            case GITHUB -> title;
            case GITEA -> title.startsWith("WIP:") ? title : "WIP: " + title;
            case GITLAB -> title.startsWith("Draft:") ? title : "Draft: " + title;
        };
    }

    /** The default title: the images and tags proposed. */
    public static String defaultTitle(String base, Map<String, Proposal.Item> pending) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(pending).forEach((marker, item) -> parts.add(shortName(item.values().image()) + " " + item.values().tag()));
        List<String> distinct = parts.stream().distinct().toList();
        String list = distinct.size() <= 3 ? String.join(", ", distinct)
                : String.join(", ", distinct.subList(0, 3)) + " and " + (distinct.size() - 3) + " more";
        return "Update " + list + " in " + base;
    }

    private static String shortName(String image) {
        return image.substring(image.lastIndexOf('/') + 1);
    }

    /**
     * The default body: every pending change (file, marker, old → new ref with digest, promotion and who approved it,
     * correlation id), and how the request is kept.
     */
    public static String defaultBody(ImageUpdateAutomation a, String base, String head, Map<String, Proposal.Item> pending) {
        StringBuilder b = new StringBuilder();
        b.append("Image updates approved for `").append(base).append("`, proposed by Tagstream's automation `")
                .append(a.id()).append("`.\n\n");
        b.append("| file | marker | from | to | promotion | approved by | correlation |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        new TreeMap<>(pending).forEach((marker, i) -> b.append("| `").append(cell(i.file())).append("` | `").append(cell(marker))
                .append("` | `").append(cell(i.from())).append("` | `").append(cell(i.to())).append("` | ")
                .append(cell(i.promotion())).append(" | ").append(cell(i.approvedBy())).append(" | `")
                .append(cell(i.correlation())).append("` |\n"));
        b.append("\nThis pull request is kept current: each new approval rebuilds `").append(head).append("` from `")
                .append(base).append("` with every pending change and rewrites this description. Closing it unmerged rejects")
                .append(" these images: Tagstream does not propose them again, only newer ones.\n");
        return b.toString();
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ").replace("`", "'");
    }

    /** The pending changes described by the changes the run made (markers without a change are in the base). */
    public static Map<String, Proposal.Item> items(List<Setters.Change> changes, Map<String, ImageValues> values,
            Map<String, Origin> origins, Proposal before) {
        Map<String, Proposal.Item> out = new TreeMap<>();
        for (Setters.Change c : changes) {
            ImageValues v = values.get(c.setter());
            if (v == null) {
                continue;
            }
            Origin o = origins.get(c.setter());
            Proposal.Item was = before.pending().get(c.setter());
            Proposal.Item seen = out.get(c.setter());
            String from = seen != null ? seen.from() : c.oldValue();
            String file = seen == null || seen.file().equals(c.file()) ? c.file() : seen.file() + ", " + c.file();
            if (o == null && was != null) {
                out.put(c.setter(), new Proposal.Item(v, file, from, c.newValue(), was.promotion(), was.approvedBy(),
                        was.correlation()));
            } else {
                out.put(c.setter(), new Proposal.Item(v, file, from, c.newValue(), o == null ? "" : o.promotion(),
                        o == null ? "" : o.approvedBy(), o == null ? "" : o.correlation()));
            }
        }
        return out;
    }

    /** The approval a new value came from. */
    public record Origin(String promotion, String approvedBy, String correlation) {}
}
