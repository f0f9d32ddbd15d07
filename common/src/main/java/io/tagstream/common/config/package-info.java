/**
 * Tagstream's configuration: Flux's ImageRepository, ImagePolicy, ImageUpdateAutomation, GitRepository and Receiver read
 * unchanged, plus our own Registry and ImagePromotion kinds. {@link io.tagstream.common.config.ConfigLoader} reads a
 * directory of YAML files (a mounted ConfigMap) and reports every problem with the file and line a person must edit.
 */
package io.tagstream.common.config;
