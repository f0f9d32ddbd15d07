package io.tagstream.common.gotemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Go's {@code text/template}, the subset Flux users write in an ImageUpdateAutomation's {@code messageTemplate}: text
 * and actions with whitespace trimming ({@code {{-}} and {@code -}}}), comments, pipelines, variables ({@code $x :=},
 * {@code $x =}, {@code $}), {@code if}/{@code else if}/{@code with}/{@code else with}/{@code range} (with {@code else},
 * {@code break}, {@code continue}) and {@code end}, parenthesised pipelines, field and method chains, Go's builtin
 * functions and the Sprig functions listed in {@link GoFunctions}. {@code define}, {@code template} and {@code block}
 * are refused: a commit message has no other templates to call. Execution follows Go's default options: a missing map
 * key prints {@code <no value>}, maps range in sorted key order.
 *
 * <p>Parsing checks every function name, so a template that would fail in Flux for an unknown function fails at
 * configuration load here, naming the function and line. Output is bounded ({@link #MAX_OUTPUT} characters) and so is
 * the work one execution may do, so a template cannot stall git-writer.
 */
public final class GoTemplate {

    /** The most characters one execution may write; a commit message needs far fewer. */
    public static final int MAX_OUTPUT = 1 << 20;
    static final int MAX_STEPS = 1_000_000;

    private final List<Node> root;
    private final Set<String> rootFields;

    private GoTemplate(List<Node> root, Set<String> rootFields) {
        this.root = root;
        this.rootFields = rootFields;
    }

    /** Parses a template; throws {@link GoTemplateException} naming the line and what is wrong or unsupported. */
    public static GoTemplate parse(String text) {
        Parser p = new Parser(Lexer.items(text));
        List<Node> nodes = p.list(Set.of());
        return new GoTemplate(nodes, Set.copyOf(p.rootFields));
    }

    /**
     * The fields the template reads from its data outside {@code range} and {@code with}, where dot is the data
     * itself ({@code .Changed} in {@code {{ .Changed.Objects }}}): what a caller checks against its data model.
     */
    public Set<String> rootFields() {
        return new TreeSet<>(rootFields);
    }

    /** Runs the template over the data ({@link GoStruct}, maps, lists, strings, numbers, booleans). */
    public String execute(Object data) {
        Exec e = new Exec(data);
        e.walk(root, GoValues.box(data));
        return e.out.toString();
    }

    // ---------------------------------------------------------------- lexing

    /** A piece of template text, or one action's tokens. */
    record Item(String text, List<Token> tokens, int line) {
        boolean isText() {
            return tokens == null;
        }
    }

    enum Kind { LPAREN, RPAREN, PIPE, DECLARE, ASSIGN, COMMA, STRING, NUMBER, BOOL, NIL, VARIABLE, FIELD, DOT, IDENT }

    /** {@code glued}: no space before it, so {@code (x).Field} and {@code $v.Field} chain. */
    record Token(Kind kind, String text, Object value, boolean glued) {}

    static final class Lexer {
        private final String src;
        private int pos;
        private int line = 1;
        private final List<Item> items = new ArrayList<>();

        private Lexer(String src) {
            this.src = src;
        }

        static List<Item> items(String src) {
            Lexer l = new Lexer(src);
            l.run();
            return l.items;
        }

        private void run() {
            boolean trimNext = false;
            while (pos < src.length()) {
                int open = src.indexOf("{{", pos);
                String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
                int textLine = line;
                line += count(text);
                if (trimNext) {
                    text = stripLeadingSpace(text);
                }
                if (open < 0) {
                    addText(text, textLine);
                    return;
                }
                boolean trimLeft = src.startsWith("{{-", open) && open + 3 < src.length() && isSpace(src.charAt(open + 3));
                if (trimLeft) {
                    text = stripTrailingSpace(text);
                }
                addText(text, textLine);
                pos = open + (trimLeft ? 3 : 2);
                trimNext = action();
            }
        }

        private void addText(String text, int at) {
            if (!text.isEmpty()) {
                items.add(new Item(text, null, at));
            }
        }

        /** Reads one action up to its {@code }}}; returns whether it ends with {@code -}}}. */
        private boolean action() {
            int start = line;
            int i = pos;
            while (i < src.length() && isSpace(src.charAt(i))) {
                i++;
            }
            if (src.startsWith("/*", i)) {
                int close = src.indexOf("*/", i + 2);
                if (close < 0) {
                    throw new GoTemplateException(start, "unclosed comment");
                }
                line += count(src.substring(pos, close));
                int j = close + 2;
                boolean trim = false;
                if (src.startsWith(" -}}", j) || src.startsWith("\t-}}", j) || src.startsWith("\n-}}", j) || src.startsWith("\r-}}", j)) {
                    trim = true;
                    j += 4;
                } else if (src.startsWith("}}", j)) {
                    j += 2;
                } else {
                    throw new GoTemplateException(line, "comment ends before closing delimiter");
                }
                pos = j;
                return trim;
            }
            List<Token> tokens = new ArrayList<>();
            boolean glued = false;
            while (true) {
                if (pos >= src.length()) {
                    throw new GoTemplateException(start, "unclosed action");
                }
                char c = src.charAt(pos);
                if (isSpace(c)) {
                    if (c == '\n') {
                        line++;
                    }
                    if (src.startsWith("-}}", pos + 1)) {
                        pos += 4;
                        items.add(new Item(null, tokens, start));
                        return true;
                    }
                    pos++;
                    glued = false;
                    continue;
                }
                if (src.startsWith("}}", pos)) {
                    pos += 2;
                    items.add(new Item(null, tokens, start));
                    return false;
                }
                Token t = token(glued);
                tokens.add(t);
                glued = true;
            }
        }

        private Token token(boolean glued) {
            char c = src.charAt(pos);
            int begin = pos;
            switch (c) {
                case '(':
                    pos++;
                    return new Token(Kind.LPAREN, "(", null, glued);
                case ')':
                    pos++;
                    return new Token(Kind.RPAREN, ")", null, glued);
                case '|':
                    pos++;
                    return new Token(Kind.PIPE, "|", null, glued);
                case ',':
                    pos++;
                    return new Token(Kind.COMMA, ",", null, glued);
                case '=':
                    pos++;
                    return new Token(Kind.ASSIGN, "=", null, glued);
                case ':':
                    if (src.startsWith(":=", pos)) {
                        pos += 2;
                        return new Token(Kind.DECLARE, ":=", null, glued);
                    }
                    throw new GoTemplateException(line, "expected :=");
                case '"':
                    return new Token(Kind.STRING, null, quoted(), glued);
                case '`': {
                    int close = src.indexOf('`', pos + 1);
                    if (close < 0) {
                        throw new GoTemplateException(line, "unterminated raw quoted string");
                    }
                    String raw = src.substring(pos + 1, close);
                    line += count(raw);
                    pos = close + 1;
                    return new Token(Kind.STRING, null, raw.replace("\r", ""), glued);
                }
                case '\'':
                    return new Token(Kind.NUMBER, null, (long) charConstant(), glued);
                case '$': {
                    pos++;
                    String name = "$" + word();
                    return new Token(Kind.VARIABLE, name, null, glued);
                }
                case '.': {
                    if (pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
                        return number(glued);
                    }
                    pos++;
                    String name = word();
                    return name.isEmpty() ? new Token(Kind.DOT, ".", null, glued) : new Token(Kind.FIELD, name, null, glued);
                }
                default:
                    break;
            }
            if (c == '-' || c == '+' || Character.isDigit(c)) {
                return number(glued);
            }
            if (Character.isLetter(c) || c == '_') {
                String w = word();
                return switch (w) {
                    case "true", "false" -> new Token(Kind.BOOL, w, Boolean.parseBoolean(w), glued);
                    case "nil" -> new Token(Kind.NIL, w, null, glued);
                    default -> new Token(Kind.IDENT, w, null, glued);
                };
            }
            pos = begin + 1;
            throw new GoTemplateException(line, "unexpected " + describe(c) + " in action");
        }

        private static String describe(char c) {
            return c < 0x20 ? String.format("U+%04X", (int) c) : "\"" + c + "\"";
        }

        private String word() {
            int b = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            return src.substring(b, pos);
        }

        private Token number(boolean glued) {
            int b = pos;
            if (src.charAt(pos) == '+' || src.charAt(pos) == '-') {
                pos++;
            }
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                    || src.charAt(pos) == '_' || (src.charAt(pos) == '-' || src.charAt(pos) == '+')
                    && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E'))) {
                pos++;
            }
            String text = src.substring(b, pos);
            String digits = text.replace("_", "");
            try {
                if (digits.matches("[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)")) {
                    String sign = digits.startsWith("-") ? "-" : "";
                    String body = digits.replaceFirst("^[+-]", "");
                    long v;
                    if (body.matches("0[xX].*")) {
                        v = Long.parseLong(body.substring(2), 16);
                    } else if (body.matches("0[bB].*")) {
                        v = Long.parseLong(body.substring(2), 2);
                    } else if (body.matches("0[oO].*")) {
                        v = Long.parseLong(body.substring(2), 8);
                    } else if (body.length() > 1 && body.startsWith("0")) {
                        v = Long.parseLong(body.substring(1), 8);
                    } else {
                        v = Long.parseLong(body);
                    }
                    return new Token(Kind.NUMBER, text, sign.isEmpty() ? v : -v, glued);
                }
                return new Token(Kind.NUMBER, text, Double.parseDouble(digits), glued);
            } catch (NumberFormatException e) {
                throw new GoTemplateException(line, "bad number syntax: \"" + text + "\"");
            }
        }

        private String quoted() {
            StringBuilder b = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= src.length() || src.charAt(pos) == '\n') {
                    throw new GoTemplateException(line, "unterminated quoted string");
                }
                char c = src.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                pos = escape(b, pos);
            }
        }

        private int charConstant() {
            pos++;
            StringBuilder b = new StringBuilder();
            if (pos < src.length() && src.charAt(pos) == '\\') {
                pos = escape(b, pos + 1);
            } else if (pos < src.length()) {
                b.appendCodePoint(src.codePointAt(pos));
                pos += Character.charCount(src.codePointAt(pos));
            }
            if (pos >= src.length() || src.charAt(pos) != '\'' || b.length() == 0) {
                throw new GoTemplateException(line, "malformed character constant");
            }
            pos++;
            return b.codePointAt(0);
        }

        /** Go's escapes inside an interpreted string; {@code at} is just past the backslash. */
        private int escape(StringBuilder b, int at) {
            if (at >= src.length()) {
                throw new GoTemplateException(line, "unterminated quoted string");
            }
            char e = src.charAt(at++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'v' -> b.append('\u000b');
                case '\\', '"', '\'' -> b.append(e);
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (at + n > src.length() || !src.substring(at, at + n).matches("[0-9a-fA-F]+")) {
                        throw new GoTemplateException(line, "invalid escape \\" + e + " in quoted string");
                    }
                    b.appendCodePoint(Integer.parseInt(src.substring(at, at + n), 16));
                    at += n;
                }
                default -> {
                    if (e >= '0' && e <= '7' && at + 1 < src.length()) {
                        b.append((char) Integer.parseInt(src.substring(at - 1, at + 2), 8));
                        at += 2;
                    } else {
                        throw new GoTemplateException(line, "unknown escape sequence \\" + e);
                    }
                }
            }
            return at;
        }

        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }

        private static String stripLeadingSpace(String s) {
            int i = 0;
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            return s.substring(i);
        }

        private static String stripTrailingSpace(String s) {
            int i = s.length();
            while (i > 0 && isSpace(s.charAt(i - 1))) {
                i--;
            }
            return s.substring(0, i);
        }

        private static int count(String s) {
            int n = 0;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '\n') {
                    n++;
                }
            }
            return n;
        }
    }

    // ---------------------------------------------------------------- parse tree

    sealed interface Node permits Text, Action, If, Range, With, Break, Continue {}

    record Text(String text) implements Node {}

    record Action(Pipe pipe, int line) implements Node {}

    record If(Pipe pipe, List<Node> then, List<Node> otherwise, int line) implements Node {}

    record With(Pipe pipe, List<Node> then, List<Node> otherwise, int line) implements Node {}

    record Range(Pipe pipe, List<Node> body, List<Node> otherwise, int line) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /** {@code decl}: variables declared ({@code :=}) or assigned ({@code =}) by this pipeline. */
    record Pipe(List<String> decl, boolean assign, List<List<Arg>> commands, int line) {}

    sealed interface Arg permits Dot, Field, Variable, Literal, Function, Nested {}

    record Dot() implements Arg {}

    /** A chain of fields on dot: {@code .A.B}. */
    record Field(List<String> chain) implements Arg {}

    record Variable(String name, List<String> chain) implements Arg {}

    record Literal(Object value) implements Arg {}

    record Function(String name) implements Arg {}

    record Nested(Pipe pipe, List<String> chain) implements Arg {}

    static final class Parser {
        private final List<Item> items;
        private int at;
        private int rangeDepth;
        private int dotDepth; // inside range/with dot is no longer the data
        private final List<List<String>> scopes = new ArrayList<>();
        final Set<String> rootFields = new TreeSet<>();
        private String stop;
        private List<Token> stopTokens;
        private int stopLine;

        Parser(List<Item> items) {
            this.items = items;
            scopes.add(new ArrayList<>(List.of("$")));
        }

        /** Parses nodes until one of the keywords; the one met is left in {@link #stop}. */
        List<Node> list(Set<String> until) {
            List<Node> out = new ArrayList<>();
            while (at < items.size()) {
                Item it = items.get(at++);
                if (it.isText()) {
                    out.add(new Text(it.text()));
                    continue;
                }
                List<Token> t = it.tokens();
                if (t.isEmpty()) {
                    throw new GoTemplateException(it.line(), "missing value for command");
                }
                String keyword = t.get(0).kind() == Kind.IDENT ? t.get(0).text() : "";
                switch (keyword) {
                    case "end", "else" -> {
                        if (!until.contains(keyword)) {
                            throw new GoTemplateException(it.line(), "unexpected {{" + keyword + "}}");
                        }
                        stop = keyword;
                        stopTokens = t.subList(1, t.size());
                        stopLine = it.line();
                        if (keyword.equals("end") && !stopTokens.isEmpty()) {
                            throw new GoTemplateException(it.line(), "unexpected " + stopTokens.get(0).text() + " in end");
                        }
                        return out;
                    }
                    case "if" -> out.add(ifNode(t.subList(1, t.size()), it.line()));
                    case "with" -> out.add(withNode(t.subList(1, t.size()), it.line()));
                    case "range" -> out.add(rangeNode(t.subList(1, t.size()), it.line()));
                    case "break", "continue" -> {
                        if (rangeDepth == 0) {
                            throw new GoTemplateException(it.line(), "{{" + keyword + "}} outside {{range}}");
                        }
                        if (t.size() > 1) {
                            throw new GoTemplateException(it.line(), "unexpected " + t.get(1).text() + " in " + keyword);
                        }
                        out.add(keyword.equals("break") ? new Break(it.line()) : new Continue(it.line()));
                    }
                    case "define", "template", "block" -> throw new GoTemplateException(it.line(), "{{" + keyword
                            + "}} is not supported: a commit message template cannot define or call other templates");
                    default -> out.add(new Action(pipe(t, it.line(), true), it.line()));
                }
            }
            if (!until.isEmpty()) {
                throw new GoTemplateException(lastLine(), "unexpected EOF: an {{if}}, {{with}} or {{range}} has no {{end}}");
            }
            return out;
        }

        private int lastLine() {
            return items.isEmpty() ? 1 : items.get(items.size() - 1).line();
        }

        private If ifNode(List<Token> t, int line) {
            scopes.add(new ArrayList<>());
            Pipe p = pipe(t, line, true);
            List<Node> then = list(Set.of("else", "end"));
            List<Node> otherwise = elseBranch("if", line);
            scopes.remove(scopes.size() - 1);
            return new If(p, then, otherwise, line);
        }

        private With withNode(List<Token> t, int line) {
            scopes.add(new ArrayList<>());
            Pipe p = pipe(t, line, true);
            dotDepth++;
            List<Node> then = list(Set.of("else", "end"));
            dotDepth--;
            List<Node> otherwise = elseBranch("with", line);
            scopes.remove(scopes.size() - 1);
            return new With(p, then, otherwise, line);
        }

        private Range rangeNode(List<Token> t, int line) {
            scopes.add(new ArrayList<>());
            Pipe p = pipe(t, line, true);
            if (p.decl().size() > 2 || p.assign() && !p.decl().isEmpty()) {
                throw new GoTemplateException(line, "range can only declare up to two variables with :=");
            }
            rangeDepth++;
            dotDepth++;
            List<Node> body = list(Set.of("else", "end"));
            rangeDepth--;
            dotDepth--;
            List<Node> otherwise = elseBranch("range", line);
            scopes.remove(scopes.size() - 1);
            return new Range(p, body, otherwise, line);
        }

        /** After a branch stopped at else or end: the else part, with {@code else if}/{@code else with} chained. */
        private List<Node> elseBranch(String kind, int line) {
            if (stop.equals("end")) {
                return List.of();
            }
            List<Token> rest = stopTokens;
            int elseLine = stopLine;
            if (!rest.isEmpty()) {
                String chained = rest.get(0).kind() == Kind.IDENT ? rest.get(0).text() : "";
                if (chained.equals("if") && !kind.equals("range")) {
                    return List.of(ifNode(rest.subList(1, rest.size()), elseLine));
                }
                if (chained.equals("with") && kind.equals("with")) {
                    return List.of(withNode(rest.subList(1, rest.size()), elseLine));
                }
                throw new GoTemplateException(elseLine, "unexpected " + rest.get(0).text() + " in else");
            }
            List<Node> otherwise = list(Set.of("end"));
            return otherwise;
        }

        private boolean declared(String name) {
            for (List<String> s : scopes) {
                if (s.contains(name)) {
                    return true;
                }
            }
            return false;
        }

        Pipe pipe(List<Token> t, int line, boolean top) {
            int i = 0;
            List<String> decl = new ArrayList<>();
            boolean assign = false;
            // $x := ..., $x = ..., $k, $v := ...
            int j = 0;
            List<String> vars = new ArrayList<>();
            while (j < t.size() && t.get(j).kind() == Kind.VARIABLE) {
                vars.add(t.get(j).text());
                j++;
                if (j < t.size() && t.get(j).kind() == Kind.COMMA) {
                    j++;
                    continue;
                }
                break;
            }
            if (!vars.isEmpty() && j < t.size() && (t.get(j).kind() == Kind.DECLARE || t.get(j).kind() == Kind.ASSIGN)) {
                assign = t.get(j).kind() == Kind.ASSIGN;
                decl.addAll(vars);
                i = j + 1;
                for (String v : vars) {
                    if (v.contains(".")) {
                        throw new GoTemplateException(line, "cannot assign to a field chain " + v);
                    }
                    if (assign && !declared(v)) {
                        throw new GoTemplateException(line, "undefined variable \"" + v + "\"");
                    }
                }
                if (!top) {
                    throw new GoTemplateException(line, "variable declaration inside parentheses");
                }
            }
            List<List<Arg>> commands = new ArrayList<>();
            List<Arg> cmd = new ArrayList<>();
            while (i < t.size()) {
                Token k = t.get(i);
                switch (k.kind()) {
                    case PIPE -> {
                        if (cmd.isEmpty()) {
                            throw new GoTemplateException(line, "missing command before |");
                        }
                        commands.add(cmd);
                        cmd = new ArrayList<>();
                        i++;
                    }
                    case LPAREN -> {
                        int depth = 0;
                        int k2 = i;
                        for (; k2 < t.size(); k2++) {
                            if (t.get(k2).kind() == Kind.LPAREN) {
                                depth++;
                            } else if (t.get(k2).kind() == Kind.RPAREN && --depth == 0) {
                                break;
                            }
                        }
                        if (k2 >= t.size()) {
                            throw new GoTemplateException(line, "unclosed left paren");
                        }
                        Pipe inner = pipe(t.subList(i + 1, k2), line, false);
                        i = k2 + 1;
                        List<String> chain = new ArrayList<>();
                        while (i < t.size() && t.get(i).kind() == Kind.FIELD && t.get(i).glued()) {
                            chain.add(t.get(i++).text());
                        }
                        cmd.add(new Nested(inner, chain));
                    }
                    case RPAREN -> throw new GoTemplateException(line, "unexpected right paren");
                    case DECLARE, ASSIGN, COMMA -> throw new GoTemplateException(line, "unexpected \"" + k.text() + "\" in command");
                    case FIELD -> {
                        List<String> chain = new ArrayList<>();
                        chain.add(k.text());
                        i++;
                        while (i < t.size() && t.get(i).kind() == Kind.FIELD && t.get(i).glued()) {
                            chain.add(t.get(i++).text());
                        }
                        if (dotDepth == 0) {
                            rootFields.add(chain.get(0));
                        }
                        cmd.add(new Field(chain));
                    }
                    case VARIABLE -> {
                        if (!declared(k.text())) {
                            throw new GoTemplateException(line, "undefined variable \"" + k.text() + "\"");
                        }
                        List<String> chain = new ArrayList<>();
                        i++;
                        while (i < t.size() && t.get(i).kind() == Kind.FIELD && t.get(i).glued()) {
                            chain.add(t.get(i++).text());
                        }
                        if (k.text().equals("$") && !chain.isEmpty()) {
                            rootFields.add(chain.get(0));
                        }
                        cmd.add(new Variable(k.text(), chain));
                    }
                    case DOT -> {
                        cmd.add(new Dot());
                        i++;
                    }
                    case IDENT -> {
                        if (!GoFunctions.exists(k.text())) {
                            throw new GoTemplateException(line, GoFunctions.unknown(k.text()));
                        }
                        if (!cmd.isEmpty()) {
                            // a function is only called in first position; elsewhere Go passes it as a value, which
                            // text/template does not allow either
                            throw new GoTemplateException(line, "function \"" + k.text() + "\" must be first in its command"
                                    + " (use parentheses: (" + k.text() + " ...))");
                        }
                        cmd.add(new Function(k.text()));
                        i++;
                    }
                    case STRING, NUMBER, BOOL -> {
                        cmd.add(new Literal(k.value()));
                        i++;
                    }
                    case NIL -> {
                        cmd.add(new Literal(null));
                        i++;
                    }
                    default -> throw new GoTemplateException(line, "unexpected " + k.text());
                }
            }
            if (cmd.isEmpty()) {
                throw new GoTemplateException(line, commands.isEmpty() ? "missing value for command" : "missing command after |");
            }
            commands.add(cmd);
            for (int c = 1; c < commands.size(); c++) {
                Arg first = commands.get(c).get(0);
                if (first instanceof Literal || first instanceof Dot || first instanceof Variable v && v.chain().isEmpty()) {
                    throw new GoTemplateException(line, "non executable command in pipeline stage " + (c + 1));
                }
            }
            // declared after the pipeline: in "$x := $x" the right side is the outer one
            if (!assign) {
                scopes.get(scopes.size() - 1).addAll(decl);
            }
            return new Pipe(decl, assign, commands, line);
        }
    }

    // ---------------------------------------------------------------- execution

    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private static final class Exec {
        final StringBuilder out = new StringBuilder();
        final List<String> names = new ArrayList<>();
        final List<Object> values = new ArrayList<>();
        int steps;

        Exec(Object data) {
            names.add("$");
            values.add(GoValues.box(data));
        }

        void step(int line) {
            if (++steps > MAX_STEPS) {
                throw new GoTemplateException(line, "the template did more than " + MAX_STEPS + " steps");
            }
        }

        void write(String s, int line) {
            if (out.length() + s.length() > MAX_OUTPUT) {
                throw new GoTemplateException(line, "the output is longer than " + MAX_OUTPUT + " characters");
            }
            out.append(s);
        }

        void walk(List<Node> nodes, Object dot) {
            for (Node n : nodes) {
                walk(n, dot);
            }
        }

        void walk(Node n, Object dot) {
            if (n instanceof Text t) {
                write(t.text(), 0);
            } else if (n instanceof Action a) {
                step(a.line());
                Object v = pipe(a.pipe(), dot);
                if (a.pipe().decl().isEmpty()) {
                    write(GoValues.print(v), a.line());
                }
            } else if (n instanceof If i) {
                int mark = names.size();
                step(i.line());
                if (GoValues.truth(pipe(i.pipe(), dot))) {
                    walk(i.then(), dot);
                } else {
                    walk(i.otherwise(), dot);
                }
                pop(mark);
            } else if (n instanceof With w) {
                int mark = names.size();
                step(w.line());
                Object v = pipe(w.pipe(), dot);
                if (GoValues.truth(v)) {
                    walk(w.then(), v);
                } else {
                    walk(w.otherwise(), dot);
                }
                pop(mark);
            } else if (n instanceof Range r) {
                range(r, dot);
            } else if (n instanceof Break) {
                throw new BreakSignal();
            } else if (n instanceof Continue) {
                throw new ContinueSignal();
            }
        }

        private void range(Range r, Object dot) {
            int mark = names.size();
            step(r.line());
            List<String> decl = r.pipe().decl();
            Pipe valuePipe = new Pipe(List.of(), false, r.pipe().commands(), r.line());
            Object v = GoValues.box(pipe(valuePipe, dot));
            List<Object[]> entries = new ArrayList<>();
            if (v instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    entries.add(new Object[] {(long) i, GoValues.box(l.get(i))});
                }
            } else if (v instanceof Map<?, ?> m) {
                for (Object k : GoValues.sortedKeys(m)) {
                    entries.add(new Object[] {GoValues.box(k), GoValues.box(m.get(k))});
                }
            } else if (v instanceof Long n) {
                for (long i = 0; i < n; i++) {
                    step(r.line());
                    entries.add(new Object[] {i, i});
                }
            } else if (v != null && v != GoValues.NO_VALUE) {
                throw new GoTemplateException(r.line(), "range can't iterate over " + GoValues.print(v));
            }
            if (entries.isEmpty()) {
                walk(r.otherwise(), dot);
                pop(mark);
                return;
            }
            int base = names.size();
            for (Object[] e : entries) {
                step(r.line());
                if (decl.size() == 1) {
                    declare(decl.get(0), e[1]);
                } else if (decl.size() == 2) {
                    declare(decl.get(0), e[0]);
                    declare(decl.get(1), e[1]);
                }
                try {
                    walk(r.body(), e[1]);
                } catch (ContinueSignal c) {
                    // next element
                } catch (BreakSignal b) {
                    pop(base);
                    break;
                }
                pop(base);
            }
            pop(mark);
        }

        private void declare(String name, Object value) {
            names.add(name);
            values.add(value);
        }

        private void pop(int mark) {
            while (names.size() > mark) {
                names.remove(names.size() - 1);
                values.remove(values.size() - 1);
            }
        }

        private Object variable(String name, int line) {
            for (int i = names.size() - 1; i >= 0; i--) {
                if (names.get(i).equals(name)) {
                    return values.get(i);
                }
            }
            throw new GoTemplateException(line, "undefined variable: " + name);
        }

        private void setVariable(String name, Object value, int line) {
            for (int i = names.size() - 1; i >= 0; i--) {
                if (names.get(i).equals(name)) {
                    values.set(i, value);
                    return;
                }
            }
            throw new GoTemplateException(line, "undefined variable: " + name);
        }

        Object pipe(Pipe p, Object dot) {
            Object value = null;
            boolean first = true;
            for (List<Arg> cmd : p.commands()) {
                value = command(cmd, dot, first ? Piped.NONE : new Piped(value), p.line());
                first = false;
            }
            for (String v : p.decl()) {
                if (p.assign()) {
                    setVariable(v, value, p.line());
                } else {
                    declare(v, value);
                }
            }
            return value;
        }

        private record Piped(Object value) {
            static final Piped NONE = new Piped(null);
        }

        private Object command(List<Arg> cmd, Object dot, Piped piped, int line) {
            step(line);
            Arg head = cmd.get(0);
            if (head instanceof Function f) {
                List<Object> args = new ArrayList<>();
                if (f.name().equals("and") || f.name().equals("or")) {
                    return andOr(f.name(), cmd, dot, piped, line);
                }
                for (int i = 1; i < cmd.size(); i++) {
                    args.add(arg(cmd.get(i), dot, line));
                }
                if (piped != Piped.NONE) {
                    args.add(piped.value());
                }
                try {
                    return GoValues.box(GoFunctions.call(f.name(), args));
                } catch (GoTemplateException e) {
                    throw e;
                } catch (RuntimeException e) { // a function's own failure, as Go reports it
                    throw new GoTemplateException(line, "error calling " + f.name() + ": " + e.getMessage());
                }
            }
            if (cmd.size() > 1 || piped != Piped.NONE) {
                String what = head instanceof Field fl ? "." + String.join(".", fl.chain()) : "a value";
                throw new GoTemplateException(line, "can't give argument to non-function " + what);
            }
            return arg(head, dot, line);
        }

        private Object andOr(String name, List<Arg> cmd, Object dot, Piped piped, int line) {
            List<Object> lazy = new ArrayList<>(cmd.subList(1, cmd.size()));
            if (piped != Piped.NONE) {
                lazy.add(piped);
            }
            if (lazy.isEmpty()) {
                throw new GoTemplateException(line, "wrong number of args for " + name + ": want at least 1 got 0");
            }
            Object v = null;
            for (Object a : lazy) {
                v = a instanceof Piped p ? p.value() : arg((Arg) a, dot, line);
                boolean t = GoValues.truth(v);
                if (name.equals("and") ? !t : t) {
                    return v;
                }
            }
            return v;
        }

        private Object arg(Arg a, Object dot, int line) {
            if (a instanceof Dot) {
                return dot;
            }
            if (a instanceof Literal l) {
                return l.value();
            }
            if (a instanceof Field f) {
                return chain(dot, f.chain(), line);
            }
            if (a instanceof Variable v) {
                return chain(variable(v.name(), line), v.chain(), line);
            }
            if (a instanceof Nested n) {
                return chain(pipe(n.pipe(), dot), n.chain(), line);
            }
            if (a instanceof Function f) {
                throw new GoTemplateException(line, "function \"" + f.name() + "\" used as a value");
            }
            throw new IllegalStateException(String.valueOf(a));
        }

        private Object chain(Object v, List<String> chain, int line) {
            for (String name : chain) {
                v = field(GoValues.box(v), name, line);
            }
            return v;
        }

        private static Object field(Object v, String name, int line) {
            if (v instanceof GoStruct s) {
                return s.member(name).orElseThrow(() -> new GoTemplateException(line, "can't evaluate field " + name
                        + " in type " + s.type()));
            }
            if (v instanceof Map<?, ?> m) {
                Object key = m.keySet().stream().filter(k -> k instanceof String).findFirst().orElse(null);
                if (key == null && !m.isEmpty()) {
                    throw new GoTemplateException(line, "can't evaluate field " + name + " in a map whose keys are not strings");
                }
                return m.containsKey(name) ? GoValues.box(m.get(name)) : GoValues.NO_VALUE;
            }
            if (v == null || v == GoValues.NO_VALUE) {
                throw new GoTemplateException(line, "nil pointer evaluating ." + name);
            }
            throw new GoTemplateException(line, "can't evaluate field " + name + " in type " + GoValues.typeName(v));
        }
    }
}
