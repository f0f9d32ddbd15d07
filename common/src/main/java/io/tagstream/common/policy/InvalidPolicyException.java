package io.tagstream.common.policy;

/** A policy that cannot be evaluated: an invalid range or pattern. The message names the problem for a person. */
public final class InvalidPolicyException extends Exception {
    public InvalidPolicyException(String message) {
        super(message);
    }
}
