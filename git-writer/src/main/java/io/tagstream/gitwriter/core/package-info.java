/**
 * The git-writer's rules in plain Java: {@link io.tagstream.gitwriter.core.Setters} rewrites the values that Flux setter
 * markers point at, changing nothing else in the file, and {@link io.tagstream.gitwriter.core.Workspace} keeps a
 * working clone per repository, commits and pushes without ever overwriting someone else's commit.
 */
package io.tagstream.gitwriter.core;
