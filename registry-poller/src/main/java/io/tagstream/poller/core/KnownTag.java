package io.tagstream.poller.core;

/** A tag as last resolved: the digest it pointed at and that manifest's media type. */
public record KnownTag(String digest, String mediaType) {}
