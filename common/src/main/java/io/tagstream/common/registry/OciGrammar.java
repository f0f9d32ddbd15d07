package io.tagstream.common.registry;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The OCI distribution spec's grammar for what goes into a registry URL: tags and digests (repository paths are
 * {@link RepositoryName}'s). Every entry checks it — webhooks, tag listings, events, the registry client, git-writer —
 * so a name like {@code zz?x=../../} never reaches a registry, an event or a YAML file.
 */
public final class OciGrammar {

    /** {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}: at most 128 characters. */
    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    /** {@code algorithm:hex}, e.g. {@code sha256:<64 hex>}. */
    public static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");

    private OciGrammar() {}

    public static boolean isTag(String s) {
        return s != null && TAG.matcher(s).matches();
    }

    public static boolean isDigest(String s) {
        return s != null && s.length() <= 256 && DIGEST.matcher(s).matches();
    }

    /** Why {@code tag} is not a tag, naming it (shortened, control characters escaped); empty when it is one. */
    public static Optional<String> tagProblem(String tag) {
        return isTag(tag) ? Optional.empty() : Optional.of("'" + printable(tag) + "' is not a valid tag (letters, digits,"
                + " _ . -, not starting with . or -, at most 128 characters)");
    }

    /** Why {@code digest} is not a digest; empty when it is one. */
    public static Optional<String> digestProblem(String digest) {
        return isDigest(digest) ? Optional.empty() : Optional.of("'" + printable(digest) + "' is not a valid digest");
    }

    /** A reference (tag or digest) for a manifest URL, or why it is neither. */
    public static Optional<String> referenceProblem(String reference) {
        return isTag(reference) || isDigest(reference) ? Optional.empty()
                : Optional.of("'" + printable(reference) + "' is neither a tag nor a digest");
    }

    /** Throws {@link IllegalArgumentException} with the reason when {@code tag} is not a tag. */
    public static void requireTag(String tag) {
        require(tagProblem(tag));
    }

    public static void requireDigest(String digest) {
        require(digestProblem(digest));
    }

    public static void requireReference(String reference) {
        require(referenceProblem(reference));
    }

    private static void require(Optional<String> problem) {
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /** Untrusted text as it may appear in a message or a log line: at most 80 characters, control characters escaped. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 80; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 80 ? out + "…(" + s.length() + " characters)" : out.toString();
    }
}
