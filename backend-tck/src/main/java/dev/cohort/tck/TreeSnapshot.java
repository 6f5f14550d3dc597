package dev.cohort.tck;

import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every node of a tree outside the reserved {@code /zookeeper} subtree, with its data and stat, as
 * one session read it. Two snapshots are equal when every node has the same bytes and the same stat;
 * tests use that to show that a refused request changed nothing.
 *
 * @param nodes path to data and stat, sorted by path; unmodifiable
 */
public record TreeSnapshot(SortedMap<String, NodeData> nodes) {

  public TreeSnapshot {
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
  }

  /** Whether the snapshot holds {@code path}. */
  public boolean contains(String path) {
    return nodes.containsKey(path);
  }

  /** The paths below {@code ancestor} (inclusive), for narrowing a comparison to one subtree. */
  public SortedMap<String, NodeData> subtree(String ancestor) {
    SortedMap<String, NodeData> result = new TreeMap<>();
    for (Map.Entry<String, NodeData> e : nodes.entrySet()) {
      if (Paths.isAtOrBelow(e.getKey(), ancestor)) {
        result.put(e.getKey(), e.getValue());
      }
    }
    return result;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TreeSnapshot{");
    nodes.forEach((path, node) -> sb.append("\n  ").append(path).append(" ").append(node));
    return sb.append("\n}").toString();
  }
}
