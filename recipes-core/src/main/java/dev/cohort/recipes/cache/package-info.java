/**
 * Live local copies of data on the service: {@link dev.cohort.recipes.cache.NodeCache} follows
 * one node, {@link dev.cohort.recipes.cache.ChildrenCache} the children of one path with their
 * data, {@link dev.cohort.recipes.cache.TreeCache} a whole subtree. All end on the final state
 * after disconnects and session losses (they re-read after every reconnect), tell their listeners
 * of changes in order (changes between two reads may be merged), never block on their lookup
 * methods, and remove every watch they set when closed.
 */
package dev.cohort.recipes.cache;
