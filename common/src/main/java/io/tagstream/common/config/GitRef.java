package io.tagstream.common.config;

import java.util.Optional;

/** A git reference as Flux writes it: a branch, a tag, a full ref name or a commit. */
public record GitRef(Optional<String> branch, Optional<String> tag, Optional<String> name, Optional<String> commit) {

    public static GitRef branch(String branch) {
        return new GitRef(Optional.of(branch), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static GitRef none() {
        return new GitRef(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public boolean isEmpty() {
        return branch.isEmpty() && tag.isEmpty() && name.isEmpty() && commit.isEmpty();
    }
}
