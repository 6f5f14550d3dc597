/**
 * Nodes a recipe keeps present: {@link dev.cohort.recipes.node.PersistentNode} (an ephemeral or
 * protected ephemeral-sequential node created again whenever it goes) and {@link
 * dev.cohort.recipes.node.PersistentTtlNode} (a TTL node kept alive by periodic touches, on backends
 * with {@link dev.cohort.spi.Capability#TTL_NODES}).
 */
package dev.cohort.recipes.node;
