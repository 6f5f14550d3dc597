package dev.cohort.spi;

import java.util.Objects;

/**
 * A change to a watched node. It says what happened and where, never the new data: read it again
 * (and set the next watch at the same time).
 *
 * @param type what happened
 * @param path the node it happened to, as the session named it
 */
public record WatchEvent(Type type, String path) {

  public WatchEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(path, "path");
  }

  /** What happened to the watched node. */
  public enum Type {
    /** The node was created (exists watch on a missing node; persistent watches). */
    NODE_CREATED,
    /** The node was deleted (data, exists and child watches of the node). */
    NODE_DELETED,
    /** The node's data was set (data and exists watches). */
    NODE_DATA_CHANGED,
    /** A child of the node was created or deleted (child watches; never recursive watches). */
    NODE_CHILDREN_CHANGED
  }
}
