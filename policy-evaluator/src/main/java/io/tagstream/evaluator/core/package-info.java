/**
 * Tag selection exactly as Flux's image-reflector-controller does it, in plain Java: one small type per policy kind
 * ({@link io.tagstream.evaluator.core.SemverPolicy}, {@link io.tagstream.evaluator.core.NumericalPolicy},
 * {@link io.tagstream.evaluator.core.AlphabeticalPolicy}) behind {@link io.tagstream.evaluator.core.TagPolicy}, a
 * {@link io.tagstream.evaluator.core.TagFilter} for {@code filterTags}, and {@link io.tagstream.evaluator.core.Selector}
 * that runs them and explains every tag it passed over. Where Flux's choice depends on Go map order (ties), we pick
 * deterministically: among equal candidates the tag that sorts last byte-wise wins.
 */
package io.tagstream.evaluator.core;
