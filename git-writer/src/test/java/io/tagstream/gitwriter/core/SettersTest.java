package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Files before → after a setter run: only the marked scalar changes, byte for byte. */
class SettersTest {

    static final String D = "sha256:" + "9".repeat(64);
    static final Map<String, ImageValues> VALUES = Map.of(
            "flux-system:ct-fac-portal", new ImageValues("ctfacentry.azurecr.io/eose-fleet/pemos-portal", "924", D, false),
            "flux-system:pinned", new ImageValues("r.example/app", "2.0.0", D, true));

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("full ref, plain", """
                        spec:
                          containers:
                            - name: portal
                              image: ctfacentry.azurecr.io/eose-fleet/pemos-portal:922 # {"$imagepolicy": "flux-system:ct-fac-portal"}
                        """, """
                        spec:
                          containers:
                            - name: portal
                              image: ctfacentry.azurecr.io/eose-fleet/pemos-portal:924 # {"$imagepolicy": "flux-system:ct-fac-portal"}
                        """),
                Arguments.of("tag, double quoted, list item key", """
                        - name: portal
                          tag: "922"   # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """, """
                        - name: portal
                          tag: "924"   # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """),
                Arguments.of("name, single quoted", "repository: 'old/name' # {\"$imagepolicy\": \"flux-system:ct-fac-portal:name\"}\n",
                        "repository: 'ctfacentry.azurecr.io/eose-fleet/pemos-portal' # {\"$imagepolicy\": \"flux-system:ct-fac-portal:name\"}\n"),
                Arguments.of("digest", "digest: sha256:aaa # {\"$imagepolicy\": \"flux-system:ct-fac-portal:digest\"}\n",
                        "digest: " + D + " # {\"$imagepolicy\": \"flux-system:ct-fac-portal:digest\"}\n"),
                Arguments.of("pinned full ref", "image: r.example/app:1.0.0 # {\"$imagepolicy\": \"flux-system:pinned\"}\n",
                        "image: r.example/app:2.0.0@" + D + " # {\"$imagepolicy\": \"flux-system:pinned\"}\n"),
                Arguments.of("helm values knob image.ref, digest-pinned, over an older pin", """
                        image:
                          ref: r.example/app:1.0.0@sha256:%s # {"$imagepolicy": "flux-system:pinned"}
                        """.formatted("a".repeat(64)), """
                        image:
                          ref: r.example/app:2.0.0@%s # {"$imagepolicy": "flux-system:pinned"}
                        """.formatted(D)),
                Arguments.of("CRLF, comments, blank lines and other markers kept", "# header\r\n\r\nimage: a:1 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\r\nother: b:1 # {\"$imagepolicy\": \"flux-system:unrelated\"}\r\n",
                        "# header\r\n\r\nimage: ctfacentry.azurecr.io/eose-fleet/pemos-portal:924 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\r\nother: b:1 # {\"$imagepolicy\": \"flux-system:unrelated\"}\r\n"),
                Arguments.of("multi-document, no trailing newline", "a: 1\n---\nimage: x:1 # {\"$imagepolicy\": \"flux-system:ct-fac-portal:tag\"}\n---\nb: 2",
                        "a: 1\n---\nimage: 924 # {\"$imagepolicy\": \"flux-system:ct-fac-portal:tag\"}\n---\nb: 2"),
                Arguments.of("kustomization images", """
                        images:
                          - name: pemos-portal
                            newName: ctfacentry.azurecr.io/eose-fleet/pemos-portal # {"$imagepolicy": "flux-system:ct-fac-portal:name"}
                            newTag: "922" # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """, """
                        images:
                          - name: pemos-portal
                            newName: ctfacentry.azurecr.io/eose-fleet/pemos-portal # {"$imagepolicy": "flux-system:ct-fac-portal:name"}
                            newTag: "924" # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """),
                Arguments.of("helm values without apiVersion", """
                        portal:
                          image:
                            repository: ctfacentry.azurecr.io/eose-fleet/pemos-portal
                            tag: 922 # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """, """
                        portal:
                          image:
                            repository: ctfacentry.azurecr.io/eose-fleet/pemos-portal
                            tag: 924 # {"$imagepolicy": "flux-system:ct-fac-portal:tag"}
                        """),
                Arguments.of("top-level list", """
                        - ctfacentry.azurecr.io/eose-fleet/pemos-portal:922 # {"$imagepolicy": "flux-system:ct-fac-portal"}
                        - unrelated:1
                        """, """
                        - ctfacentry.azurecr.io/eose-fleet/pemos-portal:924 # {"$imagepolicy": "flux-system:ct-fac-portal"}
                        - unrelated:1
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void rewritesOnlyTheMarkedValue(String label, String before, String after) {
        Setters.FileResult r = Setters.applyText("f.yaml", before, VALUES);
        assertEquals(List.of(), r.problems());
        assertEquals(after, r.text());
        assertEquals(1, r.changes().size());
    }

    @Test
    void alreadyCurrentMeansNoChange() {
        String text = "image: ctfacentry.azurecr.io/eose-fleet/pemos-portal:924 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\n";
        Setters.FileResult r = Setters.applyText("f.yaml", text, VALUES);
        assertEquals(text, r.text());
        assertEquals(List.of(), r.changes());
    }

    @Test
    void brokenFileIsReportedAndUntouched() {
        String text = "image: a:1 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\nbad: [unclosed\n";
        Setters.FileResult r = Setters.applyText("apps/broken.yaml", text, VALUES);
        assertEquals(text, r.text());
        assertEquals(List.of(), r.changes());
        assertTrue(r.problems().get(0).toString().startsWith("apps/broken.yaml:3: not valid YAML"), r.problems().toString());
    }

    @Test
    void markerOnAMappingIsAMistake() {
        String text = "image: # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\n  repository: x\n";
        Setters.FileResult r = Setters.applyText("f.yaml", text, VALUES);
        assertEquals(text, r.text());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).message().contains("is not on a scalar value"), r.problems().toString());
    }

    @Test
    void markersInAFileWithAProblemAreBlockedWhateverElseIsWritten(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("apps"));
        java.nio.file.Files.writeString(root.resolve("apps/good.yaml"),
                "image: a:1 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\n");
        java.nio.file.Files.writeString(root.resolve("apps/broken.yaml"),
                "image: a:1 # {\"$imagepolicy\": \"flux-system:ct-fac-portal:tag\"}\nbad: [unclosed\n");
        Setters.Result r = Setters.apply(root, "apps", VALUES);
        assertEquals(List.of("apps/good.yaml"), r.filesChanged(), "the good file is written");
        assertEquals(java.util.Set.of("flux-system:ct-fac-portal"), r.blocked(), "the broken one's marker is not in git");
        assertEquals(java.util.Set.copyOf(VALUES.keySet()), Setters.apply(root, "nope", VALUES).blocked(),
                "a path that is not there blocks every marker");
    }
}
