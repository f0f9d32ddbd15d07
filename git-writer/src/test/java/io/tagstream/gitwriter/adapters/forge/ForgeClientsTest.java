package io.tagstream.gitwriter.adapters.forge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.PullRequest;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Forge;
import io.tagstream.testkit.TestForge;
import io.tagstream.testkit.GitServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each forge client against its test forge: open, find by head branch, read, edit, label, auto-merge (which really
 * merges in git), close, and a create refused because the request exists. Every request and answer is checked against
 * the forge's API description where {@code ../shared/conformance} is present.
 */
class ForgeClientsTest {

    static GitServer git;

    @BeforeAll
    static void start() {
        git = GitServer.start();
    }

    @AfterAll
    static void stop() {
        git.close();
    }

    static PullRequest settings(TestForge.Kind kind, TestForge forge, List<String> labels) {
        PullRequest.Provider p = PullRequest.Provider.valueOf(kind.name());
        return new PullRequest(p, Optional.of(forge.api()), Optional.of("platform/" + kind.name().toLowerCase() + "-fleet"),
                Optional.empty(), Optional.empty(), labels, List.of(), List.of(), false, true, PullRequest.MergeMethod.SQUASH,
                Optional.empty());
    }

    @ParameterizedTest
    @EnumSource(TestForge.Kind.class)
    void openFindEditLabelMergeClose(TestForge.Kind kind) {
        String repo = kind.name().toLowerCase() + "-fleet";
        git.createBare(repo, "main");
        git.commit(repo, "main", Map.of("app.yaml", "image: a:1\n"), "seed", "alice");
        git.inBare(repo, "branch", "tagstream/dev", "main");
        git.inBare(repo, "branch", "tagstream/other", "main");
        git.commit(repo, "tagstream/dev", Map.of("app.yaml", "image: a:2\n"), "bump", "bot");
        git.commit(repo, "tagstream/other", Map.of("b.yaml", "image: b:2\n"), "bump", "bot");
        try (TestForge forge = TestForge.start(kind, git, "platform", repo, "s3cret")) {
            Forge client = Forges.of(settings(kind, forge, List.of("images", "auto")), "git://127.0.0.1/" + repo, "s3cret");
            assertEquals(Optional.empty(), client.find("tagstream/dev", "main"));
            ChangeRequest opened = client.create("tagstream/dev", "main", "Update a 2 in main", "| a | 1 → 2 |", false);
            assertEquals(ChangeRequest.OPEN, opened.state());
            assertEquals(git.inBare(repo, "rev-parse", "refs/heads/tagstream/dev").trim(), opened.headSha());
            client.decorate(opened, List.of("images", "auto"), List.of(), List.of());
            assertEquals(List.of("images", "auto"), forge.requests().get(0).labels);

            assertEquals(opened.number(), client.find("tagstream/dev", "main").orElseThrow().number());
            Forge.Refused twice = assertThrows(Forge.Refused.class,
                    () -> client.create("tagstream/dev", "main", "again", "again", false));
            assertTrue(twice.exists(), twice.getMessage());

            ChangeRequest edited = client.edit(opened.number(), "Update a 3 in main", "| a | 1 → 3 |");
            assertTrue(edited.shows("Update a 3 in main", "| a | 1 → 3 |"), edited.toString());
            assertTrue(client.get(opened.number()).shows("Update a 3 in main", "| a | 1 → 3 |"));

            client.autoMerge(client.get(opened.number()), "squash");
            ChangeRequest merged = client.get(opened.number());
            assertEquals(ChangeRequest.MERGED, merged.state());
            assertEquals("image: a:2", git.inBare(repo, "show", "main:app.yaml").trim(), "the merge changed the base in git");

            ChangeRequest other = client.create("tagstream/other", "main", "Update b", "b", false);
            ChangeRequest closed = client.close(other.number(), "Closed by Tagstream: nothing left.");
            assertEquals(ChangeRequest.CLOSED, closed.state());
            assertTrue(closed.body().startsWith("Closed by Tagstream: nothing left."), closed.body());
            assertEquals(Optional.empty(), client.find("tagstream/other", "main"));

            Forge anonymous = Forges.of(settings(kind, forge, List.of()), "git://127.0.0.1/" + repo, "wrong");
            Forge.Refused refused = assertThrows(Forge.Refused.class, () -> anonymous.get(opened.number()));
            assertEquals(401, refused.status());
            assertTrue(refused.getMessage().contains("Bad credentials"), refused.getMessage());

            forge.down(true);
            assertEquals(503, assertThrows(Forge.Refused.class, () -> client.get(opened.number())).status());
            forge.down(false);
            if (forge.described()) {
                assertEquals(List.of(), forge.violations(), "every request and answer fits " + kind + "'s API description");
            }
            assertFalse(forge.calls().isEmpty());
        }
    }
}
