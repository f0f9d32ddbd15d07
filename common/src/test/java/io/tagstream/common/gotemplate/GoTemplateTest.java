package io.tagstream.common.gotemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.gotemplate.FluxCommitTemplate.Change;
import io.tagstream.common.gotemplate.FluxCommitTemplate.ObjectId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tables of template → output. The first rows are the messageTemplate examples of Flux's ImageUpdateAutomation
 * documentation (image-automation-controller docs/spec/v1/imageupdateautomations.md), with the output Go's
 * text/template and Sprig give for one change; the rest pin Go's semantics one construct at a time.
 */
class GoTemplateTest {

    static final String OLD = "ghcr.io/stefanprodan/podinfo:5.0.0";
    static final String NEW = "ghcr.io/stefanprodan/podinfo:5.0.3";

    static final GoStruct FLUX = FluxCommitTemplate.data("flux-system", "podinfo-auto", Map.of("cluster", "prod"),
            List.of(new Change("deploy.yaml", new ObjectId("podinfo", "default", "apps/v1", "Deployment"),
                    "flux-system:podinfo", OLD, NEW)));

    /** Flux's docs, "Message Template": ranging over files, objects and changes. */
    static final String DOC_RANGES = """
            Automated image update

            Automation name: {{ .AutomationObject }}

            Files:
            {{ range $filename, $_ := .Changed.FileChanges -}}
            - {{ $filename }}
            {{ end -}}

            Objects:
            {{ range $resource, $changes := .Changed.Objects -}}
            - {{ $resource.Kind }} {{ $resource.Name }}
              Changes:
            {{- range $_, $change := $changes }}
                - {{ $change.OldValue }} -> {{ $change.NewValue }}
            {{ end -}}
            {{ end -}}
            """;

    /** Flux's docs: the same with Sprig's lower and contains. */
    static final String DOC_FUNCTIONS = """
            Automated image update

            Automation name: {{ .AutomationObject }}

            Files:
            {{ range $filename, $_ := .Changed.FileChanges -}}
            - {{ $filename }}
            {{ end -}}

            Objects:
            {{ range $resource, $changes := .Changed.Objects -}}
            - {{ $resource.Kind | lower }} {{ $resource.Name | lower }}
              Changes:
            {{- range $_, $change := $changes }}
              {{ if contains "5.0.3" $change.NewValue -}}
                - {{ $change.OldValue }} -> {{ $change.NewValue }}
              {{ else -}}
                [skip ci] wrong image
              {{ end -}}
            {{ end -}}
            {{ end -}}
            """;

    /** Flux's docs, "Gerrit": a Change-Id from the changes. */
    static final String DOC_GERRIT = """
            Perform automatic image update

            Automation name: {{ .AutomationObject }}

            {{- $ChangeId := .AutomationObject -}}
            {{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.FileChanges | toString ) -}}
            {{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Objects | toString ) -}}
            {{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Changes | toString ) }}
            Change-Id: {{ printf "I%s" ( sha256sum $ChangeId | trunc 40 ) }}
            """;

    static Stream<Arguments> flux() {
        return Stream.of(
                Arguments.of("docs: ranges", DOC_RANGES, """
                        Automated image update

                        Automation name: flux-system/podinfo-auto

                        Files:
                        - deploy.yaml
                        Objects:
                        - Deployment podinfo
                          Changes:
                            - %s -> %s
                        """.formatted(OLD, NEW)),
                Arguments.of("docs: functions", DOC_FUNCTIONS, """
                        Automated image update

                        Automation name: flux-system/podinfo-auto

                        Files:
                        - deploy.yaml
                        Objects:
                        - deployment podinfo
                          Changes:
                          - %s -> %s
                        """.formatted(OLD, NEW) + "  "), // the else branch's indentation before {{ end -}}
                Arguments.of("docs: values", "Automated image update by Flux for cluster {{ .Values.cluster }}.",
                        "Automated image update by Flux for cluster prod."),
                // sha256 of "flux-system/podinfo-auto" + the three %v prints below, first 40 hex digits
                Arguments.of("docs: gerrit change-id", DOC_GERRIT, """
                        Perform automatic image update

                        Automation name: flux-system/podinfo-auto
                        Change-Id: I298fd49b81ee26d751423e00f31f1523198bb332
                        """),
                Arguments.of("docs: gitea", "{{range .Changed.Changes}}{{print .OldValue}} -> {{println\n .NewValue}}{{end}}",
                        OLD + " -> " + NEW + "\n"),
                Arguments.of("%v of Flux's maps", "{{ .Changed.FileChanges }}|{{ .Changed.Objects }}|{{ .Changed.Changes }}",
                        "map[deploy.yaml:map[{podinfo default apps/v1 Deployment}:[{" + OLD + " " + NEW
                                + " flux-system:podinfo}]]]|map[{podinfo default apps/v1 Deployment}:[{" + OLD + " " + NEW
                                + " flux-system:podinfo}]]|[{" + OLD + " " + NEW + " flux-system:podinfo}]"),
                Arguments.of("fields of the automation", "{{ .AutomationObject.Namespace }}/{{ .AutomationObject.Name }}",
                        "flux-system/podinfo-auto"),
                Arguments.of("%+v of a change", "{{ range .Changed.Changes }}{{ printf \"%+v\" . }}{{ end }}",
                        "{OldValue:" + OLD + " NewValue:" + NEW + " Setter:flux-system:podinfo}"),
                Arguments.of("missing value", "[{{ .Values.nope }}]", "[<no value>]"),
                Arguments.of("index of a missing value", "[{{ index .Values \"nope\" }}]", "[]"),
                Arguments.of("len", "{{ len .Changed.Changes }} {{ len .Values }} {{ len \"héllo\" }}", "1 1 6"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flux")
    void rendersAsFluxDoes(String label, String template, String expected) {
        assertEquals(expected, GoTemplate.parse(template).execute(FLUX));
    }

    static Map<String, Object> data() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("s", "Hello");
        d.put("n", 3L);
        d.put("f", 1.5);
        d.put("t", true);
        d.put("empty", "");
        d.put("list", List.of("b", "a", "c"));
        d.put("nums", List.of(3L, 1L, 2L));
        d.put("m", Map.of("z", "26", "a", "1"));
        return d;
    }

    static Stream<Arguments> semantics() {
        return Stream.of(
                Arguments.of("plain text", "no actions", "no actions"),
                Arguments.of("left and right trim", "a  \n {{- .s -}} \n  b", "aHellob"),
                Arguments.of("minus without space is a number", "{{-3}}", "-3"),
                Arguments.of("comment", "a{{/* gone */}}b{{- /* trimmed */ -}} c", "abc"),
                Arguments.of("if else if else", "{{ if .empty }}1{{ else if eq .n 3 }}2{{ else }}3{{ end }}", "2"),
                Arguments.of("with sets dot", "{{ with .s }}<{{ . }}>{{ end }}{{ with .empty }}x{{ else }}none{{ end }}",
                        "<Hello>none"),
                Arguments.of("else with", "{{ with .empty }}a{{ else with .s }}{{ . }}{{ end }}", "Hello"),
                Arguments.of("range over a list", "{{ range $i, $e := .list }}{{ $i }}={{ $e }};{{ end }}", "0=b;1=a;2=c;"),
                Arguments.of("range over a map in key order", "{{ range $k, $v := .m }}{{ $k }}{{ $v }}{{ end }}", "a1z26"),
                Arguments.of("range sets dot", "{{ range .list }}{{ . }}{{ end }}", "bac"),
                Arguments.of("range else", "{{ range .nothing }}x{{ else }}empty{{ end }}", "empty"),
                Arguments.of("break and continue", "{{ range .nums }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ if eq . 2 }}"
                        + "{{ break }}{{ end }}{{ . }}{{ end }}", "3"),
                Arguments.of("variables and $", "{{ $x := .s }}{{ range .list }}{{ $x }}{{ $.n }}{{ end }}", "Hello3Hello3Hello3"),
                Arguments.of("assignment reaches out of range", "{{ $c := 0 }}{{ range .list }}{{ $c = add1 $c }}{{ end }}{{ $c }}", "3"),
                Arguments.of("a declaration prints nothing", "[{{ $x := 5 }}]", "[]"),
                Arguments.of("pipelines and parentheses", "{{ .s | upper | printf \"%s!\" }} {{ (len .list) }} {{ (index .list 1) | upper }}",
                        "HELLO! 3 A"),
                Arguments.of("and/or return operands", "{{ and .s .n }} {{ or .empty \"fallback\" }} {{ and .empty .nope.deeper }}",
                        "3 fallback "),
                Arguments.of("not and comparisons", "{{ not .t }} {{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ eq .s \"x\" \"Hello\" }} {{ ne .n 3 }}",
                        "false true true true false"),
                Arguments.of("print spacing", "{{ print 1 2 \"a\" 3 \"b\" \"c\" }}|{{ println 1 \"a\" }}|", "1 2a3bc|1 a\n|"),
                Arguments.of("printf verbs", "{{ printf \"%d %5s|%-4s|%05d %x %q %t %.2f %v %%\" 42 \"ab\" \"c\" 7 255 \"q\\\"\" true 3.14159 .list }}",
                        "42    ab|c   |00007 ff \"q\\\"\" true 3.14 [b a c] %"),
                Arguments.of("printf errors in-band", "{{ printf \"%d %s\" \"x\" }}|{{ printf \"a\" 1 }}", "%!d(string=x) %!s(MISSING)|a%!(EXTRA int=1)"),
                Arguments.of("floats", "{{ .f }} {{ 2.0 }} {{ 1e21 }} {{ 0.00001 }}", "1.5 2 1e+21 1e-05"),
                Arguments.of("strings", "{{ \"a\\tb\" }}{{ `raw\\n` }}{{ 'x' }}", "a\tbraw\\n120"),
                Arguments.of("sprig strings", "{{ trim \"  x \" }} {{ trimPrefix \"v\" \"v1.2\" }} {{ trimSuffix \"-rc\" \"1-rc\" }}"
                        + " {{ replace \"a\" \"o\" \"banana\" }} {{ title \"hello world\" }} {{ trunc 3 \"abcdef\" }}"
                        + " {{ trunc -2 \"abcdef\" }} {{ substr 1 3 \"abcdef\" }} {{ quote \"x\" 1 }} {{ squote \"y\" }}"
                        + " {{ hasPrefix \"ab\" \"abc\" }} {{ repeat 3 \"-\" }} {{ nospace \"a b c\" }} {{ abbrev 6 \"abcdefgh\" }}",
                        "x 1.2 1 bonono Hello World abc ef bc \"x\" \"1\" 'y' true --- abc abc..."),
                Arguments.of("sprig lists", "{{ join \",\" .list }} {{ sortAlpha .list }} {{ first .list }} {{ last .list }}"
                        + " {{ splitList \":\" \"a:b\" }} {{ list 1 \"x\" }} {{ has \"a\" .list }} {{ uniq (list 1 1 2) }}"
                        + " {{ (split \"/\" \"x/y\")._1 }} {{ keys .m }} {{ get .m \"a\" }} {{ hasKey .m \"q\" }}",
                        "b,a,c [a b c] b c [a b] [1 x] true [1 2] y [a z] 1 false"),
                Arguments.of("sprig defaults", "{{ default \"d\" .empty }} {{ default \"d\" .s }} {{ empty .empty }}"
                        + " {{ coalesce .empty .s }} {{ ternary \"y\" \"n\" .t }}", "d Hello true Hello y"),
                Arguments.of("sprig hashes and regex", "{{ sha1sum \"abc\" }} {{ b64enc \"hi\" }} {{ b64dec \"aGk=\" }}"
                        + " {{ regexMatch \"^v[0-9]+\" \"v12\" }} {{ regexFind \"[0-9]+\" \"ab123c\" }}"
                        + " {{ regexReplaceAll \"(a)(b)\" \"xaby\" \"${2}$1\" }} {{ adler32sum \"abc\" }}",
                        "a9993e364706816aba3e25717850c26c9cd0d89d aGk= hi true 123 xbay 38600999"),
                Arguments.of("sprig arithmetic", "{{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }}"
                        + " {{ max 1 5 3 }} {{ atoi \"42\" }} {{ int \"7\" }}", "6 3 6 3 1 5 42 7"),
                Arguments.of("indent", "{{ indent 2 \"a\\nb\" }}|{{ nindent 1 \"c\" }}", "  a\n  b|\n c"),
                Arguments.of("html and urlquery", "{{ html \"<a&b>\" }} {{ urlquery \"a b&c\" }}", "&lt;a&amp;b&gt; a+b%26c"),
                Arguments.of("slice", "{{ slice \"abcdef\" 1 3 }} {{ slice .list 1 }}", "bc [a c]"),
                Arguments.of("range over an int", "{{ range 3 }}{{ . }}{{ end }}", "012"),
                Arguments.of("delimiters inside strings", "{{ \"}}\" }}", "}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("semantics")
    void followsGoSemantics(String label, String template, String expected) {
        assertEquals(expected, GoTemplate.parse(template).execute(data()));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("unknown function", "a\n{{ frobnicate .x }}", 2, "function \"frobnicate\" not defined"),
                Arguments.of("clock", "{{ now | date \"2006\" }}", 1, "function \"now\" is not supported: it depends on the clock"),
                Arguments.of("environment", "{{ env \"TOKEN\" }}", 1, "function \"env\" is not supported: it reads"),
                Arguments.of("define", "{{ define \"x\" }}y{{ end }}", 1, "{{define}} is not supported"),
                Arguments.of("template call", "{{ template \"x\" . }}", 1, "{{template}} is not supported"),
                Arguments.of("unclosed action", "x\ny {{ .a", 2, "unclosed action"),
                Arguments.of("missing end", "{{ if .a }}\nx\n", 1, "has no {{end}}"),
                Arguments.of("stray end", "{{ end }}", 1, "unexpected {{end}}"),
                Arguments.of("undefined variable", "{{ $y }}", 1, "undefined variable \"$y\""),
                Arguments.of("assign before declare", "{{ $y = 1 }}", 1, "undefined variable \"$y\""),
                Arguments.of("variable out of scope", "{{ range .l }}{{ $v := . }}{{ end }}{{ $v }}", 1, "undefined variable \"$v\""),
                Arguments.of("break outside range", "{{ break }}", 1, "{{break}} outside {{range}}"),
                Arguments.of("empty action", "{{ }}", 1, "missing value for command"),
                Arguments.of("empty stage", "{{ .a | }}", 1, "missing command after |"),
                Arguments.of("unterminated string", "{{ \"abc }}", 1, "unterminated quoted string"),
                Arguments.of("bad character", "{{ .a ; }}", 1, "unexpected \";\" in action"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithLineAndReason(String label, String template, int line, String message) {
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> GoTemplate.parse(template));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
    }

    static Stream<Arguments> failsAtRun() {
        return Stream.of(
                Arguments.of("field of a string", "{{ .s.x }}", "can't evaluate field x in type string"),
                Arguments.of("argument to a field", "{{ .s 1 }}", "can't give argument to non-function .s"),
                Arguments.of("index out of range", "{{ index .list 9 }}", "error calling index: index out of range: 9"),
                Arguments.of("incomparable", "{{ eq .n \"3\" }}", "error calling eq: incompatible types for comparison"),
                Arguments.of("divide by zero", "{{ div 1 0 }}", "error calling div: integer divide by zero"),
                Arguments.of("runaway output", "{{ range 2000 }}{{ repeat 1000 \"x\" }}{{ end }}", "the output is longer than"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failsAtRun")
    void failsAtRunAsGoDoes(String label, String template, String message) {
        GoTemplate t = GoTemplate.parse(template);
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> t.execute(data()));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void fluxDataChecksRootFields() {
        assertEquals(Optional.empty(), FluxCommitTemplate.problem(GoTemplate.parse(DOC_GERRIT)));
        assertTrue(FluxCommitTemplate.problem(GoTemplate.parse("{{ range .Updated.Images }}{{ . }}{{ end }}")).orElseThrow()
                .contains("Flux removed"));
        assertTrue(FluxCommitTemplate.problem(GoTemplate.parse("{{ .Automation }}")).orElseThrow()
                .contains("not in Flux's template data"));
        // inside range and with, dot is something else: not checked against the root
        assertEquals(Optional.empty(), FluxCommitTemplate.problem(GoTemplate.parse("{{ range .Changed.Changes }}{{ .OldValue }}{{ end }}")));
    }

    @Test
    void changesAreSortedAndDeduplicatedWhereFluxIsRandom() {
        ObjectId a = new ObjectId("a", "ns", "apps/v1", "Deployment");
        ObjectId b = new ObjectId("b", "ns", "apps/v1", "Deployment");
        GoStruct data = FluxCommitTemplate.data("ns", "auto", Map.of(), List.of(
                new Change("z.yaml", b, "ns:p", "1", "2"),
                new Change("a.yaml", b, "ns:p", "1", "2"),
                new Change("a.yaml", a, "ns:q", "3", "4")));
        assertEquals("a.yaml z.yaml |a b |3->4 1->2 ", GoTemplate.parse("{{ range $f, $_ := .Changed.FileChanges }}{{ $f }} {{ end }}|"
                + "{{ range $o, $_ := .Changed.Objects }}{{ $o.Name }} {{ end }}|"
                + "{{ range .Changed.Changes }}{{ .OldValue }}->{{ .NewValue }} {{ end }}").execute(data));
    }
}
