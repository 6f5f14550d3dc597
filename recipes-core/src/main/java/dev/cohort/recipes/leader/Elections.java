package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.NodeNames;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What every leader recipe reads the same way: the line of participants' nodes under an election
 * path (ordered by sequence; the first leads), each node's data being its participant's id.
 */
final class Elections {

  private Elections() {
  }

  /**
   * The participants in line order, read now: one listing and one read per node (a node that
   * leaves while it is read is left out).
   */
  static List<Participant> participants(Cohort client, String path) throws InterruptedException {
    client.checkUsable();
    List<String> sorted;
    try {
      sorted = NodeNames.sortBySequence(client.blocking().getChildren(path, null).names());
    } catch (NoNodeException e) {
      return List.of();
    }
    List<Participant> result = new ArrayList<>(sorted.size());
    for (String name : sorted) {
      try {
        NodeData data = client.blocking().getData(Paths.join(path, name), null);
        result.add(new Participant(idOf(data), result.isEmpty()));
      } catch (NoNodeException e) {
        // left while we looked
      }
    }
    return result;
  }

  /** The first participant, read now; empty if nobody is in line. */
  static Optional<Participant> leader(Cohort client, String path) throws InterruptedException {
    List<Participant> all = participants(client, path);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** The term a first-in-line node stands for: its owner's id, its czxid, its owning session. */
  static LeadershipTerm termOf(NodeData head) {
    return new LeadershipTerm(idOf(head), new FencingToken(head.stat().czxid()), head.stat().ephemeralOwner());
  }

  private static String idOf(NodeData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }
}
