/**
 * Contracts: the syntax of ImagePolicy rules (Masterminds semver ranges, semver tags, filter patterns) and the checks
 * every service's configuration loader runs with them, so that one configuration gets one verdict everywhere. The
 * selection itself lives in policy-evaluator's core.
 */
package io.tagstream.common.policy;
