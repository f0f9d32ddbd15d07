package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.PullRequest;
import io.tagstream.common.config.ResourceId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pull-request mode's decisions, as tables. */
class PullRequestsTest {

    static final ImageValues WEB2 = new ImageValues("r.example/web", "2", "sha256:" + "2".repeat(64), true);
    static final ImageValues WEB3 = new ImageValues("r.example/web", "3", "sha256:" + "3".repeat(64), true);
    static final ImageValues API5 = new ImageValues("r.example/api", "5", "sha256:" + "5".repeat(64), true);

    static ChangeRequest request(String state, String title, String body) {
        return new ChangeRequest("github", "https://github.com/acme/fleet/pull/7", 7, state, "abc", title, body, "PR_7");
    }

    static Proposal pending(Map<String, ImageValues> values, Optional<ChangeRequest> request) {
        Map<String, Proposal.Item> items = new java.util.TreeMap<>();
        values.forEach((k, v) -> items.put(k, new Proposal.Item(v, "apps/" + k + ".yaml", "old", v.tag(), "p", "auto", "c")));
        return new Proposal(items, "t", "b", request, true, Instant.EPOCH);
    }

    static Stream<Arguments> steps() {
        ChangeRequest open = request(ChangeRequest.OPEN, "t", "b");
        return Stream.of(
                Arguments.of("nothing open, changes pending", Optional.empty(), true, new PullRequests.Create()),
                Arguments.of("the open one shows it already", Optional.of(open), true, new PullRequests.Keep(7)),
                Arguments.of("the open one differs", Optional.of(request(ChangeRequest.OPEN, "t", "older")), true,
                        new PullRequests.Edit(7)),
                Arguments.of("body differs only in line endings", Optional.of(request(ChangeRequest.OPEN, "t", "b\r\n")), true,
                        new PullRequests.Keep(7)),
                Arguments.of("merged, newer changes", Optional.of(request(ChangeRequest.MERGED, "t", "b")), true,
                        new PullRequests.Create()),
                Arguments.of("closed by a person, newer changes", Optional.of(request(ChangeRequest.CLOSED, "t", "b")), true,
                        new PullRequests.Create()),
                Arguments.of("everything in the base, one open", Optional.of(open), false, new PullRequests.Close(7,
                        "Closed by Tagstream: every change this pull request carried is in `main` already, so there is"
                                + " nothing left to propose.\n\nb")),
                Arguments.of("everything in the base, none open", Optional.empty(), false, new PullRequests.Nothing()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void nextStep(String what, Optional<ChangeRequest> now, boolean pending, PullRequests.Step expected) {
        assertEquals(expected, PullRequests.next(now, pending, "t", "b", "main"));
    }

    static Stream<Arguments> carried() {
        Map<String, ImageValues> before = Map.of("ns:web", WEB2, "ns:api", API5);
        return Stream.of(
                Arguments.of("still open: pending plus new, new wins", Optional.of(request(ChangeRequest.OPEN, "t", "b")),
                        Map.of("ns:web", WEB3), Map.of("ns:web", WEB3, "ns:api", API5)),
                Arguments.of("closed by a person: its refs are dropped", Optional.of(request(ChangeRequest.CLOSED, "t", "b")),
                        Map.of("ns:web", WEB3), Map.of("ns:web", WEB3)),
                Arguments.of("merged: its refs are in the base", Optional.of(request(ChangeRequest.MERGED, "t", "b")),
                        Map.of("ns:web", WEB3), Map.of("ns:web", WEB3)),
                Arguments.of("the stored one is gone from the forge", Optional.empty(), Map.of("ns:web", WEB3),
                        Map.of("ns:web", WEB3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("carried")
    void carriedChanges(String what, Optional<ChangeRequest> now, Map<String, ImageValues> fresh,
            Map<String, ImageValues> expected) {
        Proposal before = pending(Map.of("ns:web", WEB2, "ns:api", API5), Optional.of(request(ChangeRequest.OPEN, "t", "b")));
        assertEquals(expected, PullRequests.carried(before, now, fresh));
    }

    @Test
    void withNothingStoredPendingChangesAreKept() {
        Proposal before = pending(Map.of("ns:api", API5), Optional.empty());
        assertEquals(Map.of("ns:web", WEB3, "ns:api", API5), PullRequests.carried(before, Optional.empty(), Map.of("ns:web", WEB3)));
    }

    @Test
    void titlesNameTheImagesAndMarkDraftsWhereTheForgeHasNoFlag() {
        Proposal p = pending(Map.of("ns:web", WEB3, "ns:api", API5), Optional.empty());
        assertEquals("Update api 5, web 3 in main", PullRequests.defaultTitle("main", p.pending()));
        PullRequest gitea = new PullRequest(PullRequest.Provider.GITEA, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), List.of(), List.of(), true, false, PullRequest.MergeMethod.MERGE, Optional.empty());
        assertEquals("WIP: x", PullRequests.title(gitea, "x"));
        assertEquals("Draft: x", PullRequests.title(new PullRequest(PullRequest.Provider.GITLAB, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(), List.of(), List.of(), true, false, PullRequest.MergeMethod.MERGE,
                Optional.empty()), "x"));
    }

    @Test
    void itemsDescribeWhatTheHeadCarriesOverTheBase() {
        List<Setters.Change> changes = List.of(
                new Setters.Change("apps/web.yaml", "ns:web", "r.example/web:1", "r.example/web:3@sha256:" + "3".repeat(64)),
                new Setters.Change("apps/web-canary.yaml", "ns:web", "r.example/web:1", "r.example/web:3@sha256:" + "3".repeat(64)));
        Map<String, Proposal.Item> items = PullRequests.items(changes, Map.of("ns:web", WEB3, "ns:api", API5),
                Map.of("ns:web", new PullRequests.Origin("ns/web-prod", "user:alice", "corr-1")),
                pending(Map.of("ns:api", API5), Optional.empty()));
        assertEquals(List.of("ns:web"), List.copyOf(items.keySet()), "api is in the base already: not pending");
        Proposal.Item web = items.get("ns:web");
        assertEquals("apps/web.yaml, apps/web-canary.yaml", web.file());
        assertEquals("user:alice", web.approvedBy());
        String body = PullRequests.defaultBody(automation(), "main", "tagstream/prod", items);
        assertTrue(body.contains("| `apps/web.yaml, apps/web-canary.yaml` | `ns:web` | `r.example/web:1` | `r.example/web:3@sha256:"
                + "3".repeat(64) + "` | ns/web-prod | user:alice | `corr-1` |"), body);
    }

    static ImageUpdateAutomation automation() {
        return new ImageUpdateAutomation(new ResourceId("ns", "prod"), Map.of(), null, new ResourceId("ns", "fleet"),
                Optional.empty(), new ImageUpdateAutomation.Author("bot", "bot@example.com"), Optional.empty(), Optional.empty(),
                ImageUpdateAutomation.TemplateEngine.GO, Map.of(), Optional.of("tagstream/prod"), Optional.empty(), Map.of(),
                Optional.empty(), ".", "Setters", Map.of(), Optional.empty(), false);
    }
}
