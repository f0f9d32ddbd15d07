package io.tagstream.common.registry;

import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.util.Optional;

/**
 * Where a {@link RegistryClient} gets the basic credentials it offers a registry or its token service: fixed ones from a
 * secret, or short-lived ones a cloud issues (ECR, ACR, GAR — see {@code io.tagstream.common.registry.cloud}), cached
 * until shortly before they expire and fetched again when the registry refuses them.
 */
public interface CredentialSource {

    /** The credentials to offer now; empty = anonymous. May call the cloud; throws {@link RegistryException} if it fails. */
    Optional<Credentials> current();

    /** The registry refused what {@link #current()} gave: forget it, so the next call fetches afresh. */
    default void invalidate() {}

    /** Whether {@link #invalidate()} can bring different credentials (worth one more try after a 401). */
    default boolean renewable() {
        return false;
    }

    /** Whether this source ever offers credentials (a challenge is worth answering). */
    default boolean offers() {
        return current().isPresent();
    }

    /** What the credentials are, for logs and the client cache key; never the secret itself. */
    String describe();

    static CredentialSource fixed(Optional<Credentials> credentials) {
        return new Fixed(credentials);
    }

    /** Credentials that never change: a secret's username and password, or none. */
    record Fixed(Optional<Credentials> credentials) implements CredentialSource {
        @Override
        public Optional<Credentials> current() {
            return credentials;
        }

        @Override
        public boolean offers() {
            return credentials.isPresent();
        }

        @Override
        public String describe() {
            return credentials.map(c -> c.username() + ":" + Integer.toHexString(c.password().hashCode())).orElse("anonymous");
        }
    }
}
