package io.tagstream.common.policy;

import com.github.zafarkhaja.semver.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version range with the syntax and meaning Flux gives it (Masterminds semver v3 constraints): comparisons
 * {@code = != > < >= <= => =<}, tilde {@code ~ ~>}, caret {@code ^}, wildcards {@code x X *} in any position,
 * hyphen ranges {@code 1.2 - 1.4.5}, AND by comma or space, OR by {@code ||}, an optional {@code v} before each
 * version. A prerelease version satisfies a range only when the same OR-branch names a prerelease itself
 * ({@code >=1.0.0-0}). java-semver's own range dialect differs on these points, so only its version type is used.
 */
public final class SemverRange {

    private static final String OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
    private static final String CV = "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
            + "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
    private static final Pattern ONE = Pattern.compile("^\\s*(" + OPS + ")\\s*(" + CV + ")\\s*$");
    private static final Pattern HYPHEN = Pattern.compile("\\s*(" + CV + ")\\s+-\\s+(" + CV + ")\\s*");
    private static final Pattern FIND = Pattern.compile("(" + OPS + ")\\s*(" + CV + ")");
    private static final Pattern VALID = Pattern.compile(
            "^(\\s*(" + OPS + ")\\s*(" + CV + ")\\s*)((?:\\s+|,\\s*)(" + OPS + ")\\s*(" + CV + ")\\s*)*$");
    private static final Pattern LOOSE_VERSION = Pattern.compile(
            "v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?"
                    + "(?:-([0-9A-Za-z\\-]+(?:\\.[0-9A-Za-z\\-]+)*))?(?:\\+([0-9A-Za-z\\-]+(?:\\.[0-9A-Za-z\\-]+)*))?");

    private enum Op {
        EQ, NE, GT, LT, GE, LE, TILDE, CARET
    }

    private static final Map<String, Op> OP_NAMES = Map.ofEntries(
            Map.entry("", Op.EQ), Map.entry("=", Op.EQ), Map.entry("!=", Op.NE), Map.entry(">", Op.GT),
            Map.entry("<", Op.LT), Map.entry(">=", Op.GE), Map.entry("=>", Op.GE), Map.entry("<=", Op.LE),
            Map.entry("=<", Op.LE), Map.entry("~", Op.TILDE), Map.entry("~>", Op.TILDE), Map.entry("^", Op.CARET));

    /** One comparison; {@code dirty} when the version had wildcards or missing parts. */
    private record Constraint(Op op, Version con, boolean dirty, boolean minorDirty, boolean patchDirty) {}

    private final String text;
    private final List<List<Constraint>> branches;
    private final boolean[] branchHasPrerelease;

    private SemverRange(String text, List<List<Constraint>> branches, boolean[] branchHasPrerelease) {
        this.text = text;
        this.branches = branches;
        this.branchHasPrerelease = branchHasPrerelease;
    }

    /** Longer ranges are refused: real ones are a few dozen characters, and parsing stays cheap whatever is sent. */
    public static final int MAX_LENGTH = 1024;

    public static SemverRange parse(String range) throws InvalidPolicyException {
        if (range.length() > MAX_LENGTH) {
            throw new InvalidPolicyException("semver range is " + range.length() + " characters; at most " + MAX_LENGTH);
        }
        String c = rewriteHyphens(range);
        String[] ors = c.split("\\|\\|", -1);
        List<List<Constraint>> branches = new ArrayList<>();
        boolean[] hasPre = new boolean[ors.length];
        for (int k = 0; k < ors.length; k++) {
            String v = ors[k];
            if (!VALID.matcher(v).matches()) {
                throw new InvalidPolicyException("'" + range + "' is not a valid semver range (improper constraint '"
                        + v.trim() + "')");
            }
            List<String> found = new ArrayList<>();
            Matcher m = FIND.matcher(v);
            while (m.find()) {
                found.add(m.group());
            }
            if (found.isEmpty()) {
                found.add(v);
            }
            List<Constraint> and = new ArrayList<>();
            for (String s : found) {
                Constraint pc = parseOne(s, range);
                if (pc.con().preReleaseVersion().isPresent()) {
                    hasPre[k] = true;
                }
                and.add(pc);
            }
            branches.add(and);
        }
        return new SemverRange(range, branches, hasPre);
    }

    private static String rewriteHyphens(String s) {
        Matcher m = HYPHEN.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(">= " + m.group(1) + ", <= " + m.group(11) + " "));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Constraint parseOne(String s, String range) throws InvalidPolicyException {
        Matcher m = ONE.matcher(s);
        if (!m.matches()) {
            throw new InvalidPolicyException("'" + range + "' is not a valid semver range (improper constraint '" + s.trim() + "')");
        }
        String major = m.group(3);
        String minor = m.group(4) == null ? "" : m.group(4).substring(1);
        String patch = m.group(5) == null ? "" : m.group(5).substring(1);
        String pre = m.group(6) == null ? "" : m.group(6);
        String ver = m.group(2);
        boolean dirty = false;
        boolean minorDirty = false;
        boolean patchDirty = false;
        if (isX(major)) {
            ver = "0.0.0" + pre;
            dirty = true;
        } else if (minor.isEmpty() || isX(minor)) {
            ver = major + ".0.0" + pre;
            dirty = true;
            minorDirty = true;
        } else if (patch.isEmpty() || isX(patch)) {
            ver = major + "." + minor + ".0" + pre;
            dirty = true;
            patchDirty = true;
        }
        Optional<Version> con = looseVersion(ver);
        if (con.isEmpty()) {
            throw new InvalidPolicyException("'" + range + "' is not a valid semver range ('" + m.group(2).trim()
                    + "' is not a version)");
        }
        return new Constraint(OP_NAMES.get(m.group(1)), con.get(), dirty, minorDirty, patchDirty);
    }

    /** Masterminds' NewVersion for constraint versions: v prefix and missing parts allowed, no leading zeros. */
    private static Optional<Version> looseVersion(String v) {
        Matcher m = LOOSE_VERSION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        String s = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3))
                + (m.group(4) == null ? "" : "-" + m.group(4)) + (m.group(5) == null ? "" : "+" + m.group(5));
        try {
            return Version.tryParse(s, true);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean isX(String s) {
        return s.equals("x") || s.equals("X") || s.equals("*");
    }

    /** Whether the version satisfies some OR-branch; prereleases only where that branch names one. */
    public boolean test(Version v) {
        for (int i = 0; i < branches.size(); i++) {
            boolean includePre = branchHasPrerelease[i];
            boolean all = true;
            for (Constraint c : branches.get(i)) {
                if (!check(v, c, includePre)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Whether the version is a prerelease that no branch of this range lets in, whatever its numbers. */
    public boolean excludesPrerelease(Version v) {
        if (v.preReleaseVersion().isEmpty()) {
            return false;
        }
        for (boolean pre : branchHasPrerelease) {
            if (pre) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    private static int cmp(Version a, Version b) {
        return SemverTag.compare(a, b);
    }

    private static boolean check(Version v, Constraint c, boolean includePre) {
        if (v.preReleaseVersion().isPresent() && !includePre) {
            return false;
        }
        Version con = c.con();
        return switch (c.op()) {
            case EQ -> c.dirty() ? tilde(v, c) : cmp(v, con) == 0;
            case NE -> notEqual(v, c);
            case GT -> greaterThan(v, c);
            case LT -> cmp(v, con) < 0;
            case GE -> cmp(v, con) >= 0;
            case LE -> lessOrEqual(v, c);
            case TILDE -> tilde(v, c);
            case CARET -> caret(v, c);
        };
    }

    private static boolean notEqual(Version v, Constraint c) {
        Version con = c.con();
        if (c.dirty()) {
            if (con.majorVersion() != v.majorVersion()) {
                return true;
            }
            if (con.minorVersion() != v.minorVersion() && !c.minorDirty()) {
                return true;
            } else if (c.minorDirty()) {
                return false;
            } else if (con.patchVersion() != v.patchVersion() && !c.patchDirty()) {
                return true;
            } else if (c.patchDirty()) {
                if (v.preReleaseVersion().isPresent() || con.preReleaseVersion().isPresent()) {
                    return comparePrerelease(v, con) != 0;
                }
                return false;
            }
        }
        return cmp(v, con) != 0;
    }

    private static boolean greaterThan(Version v, Constraint c) {
        Version con = c.con();
        if (!c.dirty()) {
            return cmp(v, con) > 0;
        }
        if (v.majorVersion() > con.majorVersion()) {
            return true;
        } else if (v.majorVersion() < con.majorVersion()) {
            return false;
        } else if (c.minorDirty()) {
            return false; // >11 means 12 or higher, not 11.1.0
        } else if (c.patchDirty()) {
            return v.minorVersion() > con.minorVersion();
        }
        return cmp(v, con) > 0;
    }

    private static boolean lessOrEqual(Version v, Constraint c) {
        Version con = c.con();
        if (!c.dirty()) {
            return cmp(v, con) <= 0;
        }
        if (v.majorVersion() > con.majorVersion()) {
            return false;
        }
        return !(v.majorVersion() == con.majorVersion() && v.minorVersion() > con.minorVersion() && !c.minorDirty());
    }

    private static boolean tilde(Version v, Constraint c) {
        Version con = c.con();
        if (cmp(v, con) < 0) {
            return false;
        }
        if (con.majorVersion() == 0 && con.minorVersion() == 0 && con.patchVersion() == 0 && !c.minorDirty()
                && !c.patchDirty()) {
            return true; // ~0.0.0 and * accept everything
        }
        if (v.majorVersion() != con.majorVersion()) {
            return false;
        }
        return v.minorVersion() == con.minorVersion() || c.minorDirty();
    }

    private static boolean caret(Version v, Constraint c) {
        Version con = c.con();
        if (cmp(v, con) < 0) {
            return false;
        }
        if (con.majorVersion() > 0 || c.minorDirty()) {
            return v.majorVersion() == con.majorVersion();
        }
        if (v.majorVersion() > 0) {
            return false;
        }
        if (con.minorVersion() > 0 || c.patchDirty()) {
            return v.minorVersion() == con.minorVersion();
        }
        if (v.minorVersion() > 0) {
            return false;
        }
        return con.patchVersion() == v.patchVersion();
    }

    /** Compares only the prerelease parts (none sorts after any), with the semver precedence rules. */
    private static int comparePrerelease(Version a, Version b) {
        return cmp(prereleaseOnly(a), prereleaseOnly(b));
    }

    private static Version prereleaseOnly(Version v) {
        return v.preReleaseVersion().map(p -> Version.of(0, 0, 0, p)).orElseGet(() -> Version.of(0, 0, 0));
    }
}
