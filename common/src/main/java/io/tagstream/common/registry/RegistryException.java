package io.tagstream.common.registry;

import java.util.Optional;

/** A registry request that failed for good, with the registry's own status and error text. */
public class RegistryException extends RuntimeException {

    private final int status;

    public RegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** A failure before any registry answered (a cloud's token endpoint refused, say): no registry status. */
    public RegistryException(String message) {
        super(message);
        this.status = 0;
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status, or empty when the registry could not be reached. */
    public Optional<Integer> status() {
        return status == 0 ? Optional.empty() : Optional.of(status);
    }

    public boolean notFound() {
        return status == 404;
    }
}
