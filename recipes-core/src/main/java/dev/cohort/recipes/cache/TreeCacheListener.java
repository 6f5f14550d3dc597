package dev.cohort.recipes.cache;

/**
 * Told of every change a {@link TreeCache} applies, in the order it applied them, on the cache's
 * listener executor (the client's by default): never on a backend thread, never under a lock.
 * Events of one path come in the order of the changes; a node updated several times between two
 * reads may be reported once, with its latest state, but never twice in the same state.
 */
@FunctionalInterface
public interface TreeCacheListener {

  /** @param event what changed */
  void treeChanged(TreeCacheEvent event);
}
