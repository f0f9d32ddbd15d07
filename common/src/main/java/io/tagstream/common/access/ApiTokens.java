package io.tagstream.common.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Static API tokens for bots, as an operator keeps them in a secret: one line per token,
 * {@code <name> sha256:<hex of the token's SHA-256> <role>[,<role>…]}, {@code #} starts a comment. Only the hash is
 * stored, so reading the secret does not give the token away; tokens are 256 random bits, so a plain SHA-256 is
 * enough (a password hash protects guessable secrets, which these are not).
 */
public final class ApiTokens {

    /** What a generated token starts with, so that it is recognised (and found by secret scanners) at a glance. */
    public static final String PREFIX = "tst_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    public record Entry(String name, byte[] sha256, Set<Role> roles) {}

    /** The table, and the lines it could not read (each naming its line number and what is wrong). */
    public record Table(List<Entry> entries, List<String> problems) {

        /** The entry whose hash is the presented token's, comparing every entry in constant time. */
        public Optional<Entry> find(String token) {
            byte[] h = sha256(token);
            Entry hit = null;
            for (Entry e : entries) {
                if (MessageDigest.isEqual(e.sha256(), h)) {
                    hit = e;
                }
            }
            return Optional.ofNullable(hit);
        }
    }

    private ApiTokens() {}

    public static Table parse(String text) {
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            String at = "line " + (i + 1) + ": ";
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                problems.add(at + "expected '<name> sha256:<hex> <role>[,<role>]', found " + f.length + " fields");
                continue;
            }
            if (!NAME.matcher(f[0]).matches()) {
                problems.add(at + "token name '" + f[0] + "' is not [A-Za-z0-9][A-Za-z0-9._-]{0,62}");
                continue;
            }
            if (names.contains(f[0])) {
                problems.add(at + "token name '" + f[0] + "' is listed twice");
                continue;
            }
            if (!HASH.matcher(f[1]).matches()) {
                problems.add(at + "the hash of '" + f[0] + "' is not sha256:<64 lower-case hex digits> (the token itself is never stored)");
                continue;
            }
            Role.Parsed roles = Role.parseAll(f[2]);
            roles.unknown().forEach(r -> problems.add(at + "'" + r + "' is not a role (viewer, approver, signaler, admin)"));
            if (roles.unknown().isEmpty()) {
                names.add(f[0]);
                entries.add(new Entry(f[0], HexFormat.of().parseHex(f[1].substring(7)), roles.roles()));
            }
        }
        return new Table(List.copyOf(entries), List.copyOf(problems));
    }

    /** A new token: {@value #PREFIX} and 256 random bits, base64url. */
    public static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The line of the table for a token. */
    public static String line(String name, String token, Set<Role> roles) {
        return name + " sha256:" + HexFormat.of().formatHex(sha256(token)) + " "
                + String.join(",", roles.stream().sorted().map(Role::label).toList());
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
