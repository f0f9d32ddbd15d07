/**
 * The git-writer's rules in plain Java. {@link io.tagstream.gitwriter.core.Routing} decides which automations, branches
 * and markers an approval concerns; {@link io.tagstream.gitwriter.core.CommitPlan} decides, against the
 * {@link io.tagstream.gitwriter.core.Ledger}, what one commit writes and what it skips and why;
 * {@link io.tagstream.gitwriter.core.Setters} rewrites the values that Flux setter markers point at, changing nothing
 * else in the file; {@link io.tagstream.gitwriter.core.Workspace} keeps a working clone per branch and carries out one
 * {@link io.tagstream.gitwriter.core.Workspace.Request}: commit and push without ever overwriting someone else's commit.
 */
package io.tagstream.gitwriter.core;
