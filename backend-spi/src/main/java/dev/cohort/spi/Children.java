package dev.cohort.spi;

import java.util.List;
import java.util.Objects;

/**
 * A node's children as of one moment.
 *
 * @param names the children's names (not paths), in no promised order: sort them if order matters.
 *     Unmodifiable.
 * @param stat the parent's stat at the same moment
 */
public record Children(List<String> names, Stat stat) {
  public Children {
    names = List.copyOf(names);
    Objects.requireNonNull(stat, "stat");
  }
}
