package io.tagstream.common.service;

import java.util.Map;

/**
 * A service's judgement of a request from its line and headers alone, before one byte of its body is read (and so before
 * it costs memory or a thread): an unknown webhook path or a wrong header token is refused; a request already proven
 * authentic by its headers is let into the part of the {@link BodyBudget} strangers cannot fill. {@link BodyIntake} asks
 * every bean of this type; the implementation audits what it refuses.
 */
public interface EarlyAdmission {

    /** What the headers say. */
    sealed interface Verdict permits Unjudged, Authentic, Refused {}

    /** Nothing to say from the headers (not this bean's path, or a body signature that only the body can prove). */
    record Unjudged() implements Verdict {}

    /** The headers prove who sent it (a receiver's header token, the secret {@code /hook/} path). */
    record Authentic() implements Verdict {}

    /** Refused now with this status and reason; the body is never read. */
    record Refused(int status, String reason) implements Verdict {}

    Verdict UNJUDGED = new Unjudged();
    Verdict AUTHENTIC = new Authentic();

    /**
     * {@code headers}: the first value of each, names case-insensitive. Runs on the HTTP event loop, so it must not
     * block (no Kafka send, no file read per request).
     */
    Verdict beforeBody(String method, String path, Map<String, String> headers);
}
