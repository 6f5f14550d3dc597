package dev.cohort.spi;

import java.util.Objects;

/**
 * The result of a create.
 *
 * @param path the path actually created: for sequential modes, the requested path plus its suffix
 * @param stat the new node's stat; {@code stat.czxid()} is its fencing token
 */
public record Created(String path, Stat stat) {
  public Created {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(stat, "stat");
  }

  /** The last segment of {@link #path()}. */
  public String name() {
    return Paths.name(path);
  }
}
