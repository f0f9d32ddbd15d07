package io.tagstream.common.events;

import io.tagstream.common.registry.OciGrammar;
import io.tagstream.common.registry.RepositoryName;

/**
 * The checks every event applies to the names it carries, when it is made and when it is read: a tag, a digest or an
 * image reference that breaks the OCI grammar makes the event invalid (a consumer audits it as malformed and skips it),
 * so such a name never reaches a registry URL, a selection or a YAML file.
 */
final class Names {

    private Names() {}

    static void tag(String tag) {
        OciGrammar.requireTag(tag);
    }

    static void digest(String digest) {
        OciGrammar.requireDigest(digest);
    }

    /** {@code repository[:tag][@digest]}, each part valid. */
    static void ref(ImageRef r) {
        RepositoryName.parse(r.repository());
        r.tag().ifPresent(Names::tag);
        r.digest().ifPresent(Names::digest);
    }
}
