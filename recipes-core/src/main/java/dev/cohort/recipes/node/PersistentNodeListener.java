package dev.cohort.recipes.node;

/**
 * Told each time a {@link PersistentNode} creates its node: at the start, and again after the node
 * went (deleted by someone else, or with an expired session). Runs on the client's listener
 * executor, never on a backend thread and never under the recipe's lock.
 */
@FunctionalInterface
public interface PersistentNodeListener {

  /**
   * @param path the created node's path, relative to the client's namespace; for a protected
   *     sequential node, a new name each time
   */
  void nodeCreated(String path);
}
