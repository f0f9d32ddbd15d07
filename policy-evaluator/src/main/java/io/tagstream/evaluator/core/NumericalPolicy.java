package io.tagstream.evaluator.core;

import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.config.ImagePolicy.Order;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Numbers compared as 64-bit floats, as Go's {@code strconv.ParseFloat} reads them: integers, decimals, exponents,
 * negative values. {@code asc} selects the greatest, {@code desc} the least. As in Flux, a single candidate that is not
 * a number fails the whole policy (that is what {@code filterTags} is for).
 */
public record NumericalPolicy(Order order) implements TagPolicy {

    private static final Pattern GO_FLOAT = Pattern.compile("[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
            + "|0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+|(?i:inf|infinity))");

    @Override
    public Optional<Candidate> choose(List<Candidate> candidates, Skips skips) throws InvalidPolicyException {
        Candidate best = null;
        double bestValue = 0;
        for (Candidate c : candidates) {
            double v = parse(c.value());
            boolean better = best == null
                    || (order == Order.ASC ? v > bestValue : v < bestValue)
                    || v == bestValue && c.winsTieOver(best);
            if (better) {
                best = c;
                bestValue = v;
            }
        }
        return Optional.ofNullable(best);
    }

    static double parse(String s) throws InvalidPolicyException {
        if (!GO_FLOAT.matcher(s).matches()) {
            throw new InvalidPolicyException("failed to parse invalid numeric value '" + s + "'");
        }
        String t = s;
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new InvalidPolicyException("failed to parse invalid numeric value '" + s + "'");
        }
    }
}
