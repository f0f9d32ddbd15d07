package io.tagstream.evaluator.core;

/** A selected tag with the digest it pointed at when selected. */
public record Selection(String tag, String digest) {}
