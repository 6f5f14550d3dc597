package dev.cohort.inmemory.tree;

import dev.cohort.spi.WatchEvent;
import java.util.Objects;

/**
 * One change a transaction made to the tree, as the watch registry needs it: what happened and to
 * which node. A create reports {@code NODE_CREATED} for the node and {@code NODE_CHILDREN_CHANGED}
 * for its parent; a delete reports {@code NODE_DELETED} and the parent's {@code
 * NODE_CHILDREN_CHANGED}; a setData reports {@code NODE_DATA_CHANGED}.
 *
 * @param type what happened
 * @param path the node it happened to
 */
public record Change(WatchEvent.Type type, String path) {
  public Change {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(path, "path");
  }
}
