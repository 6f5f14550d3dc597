package dev.cohort.recipes.partition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What a member node and a static member's reservation carry, so that every member computes the
 * same target: {@code weight=<n> max=<n> graceMillis=<n>} in UTF-8, each field optional. Empty data
 * (members of earlier versions) reads as weight 1, no maximum, not static; unknown fields are
 * ignored and malformed values read as the default, so that a member never stops on another's node.
 *
 * @param weight at least 1
 * @param max at least 0; {@link Integer#MAX_VALUE} for none
 * @param grace the static grace period, or null for an ordinary member
 */
record MemberData(int weight, int max, Duration grace) {

  static final MemberData DEFAULT = new MemberData(1, Integer.MAX_VALUE, null);

  static byte[] encode(int weight, int max, Duration grace) {
    StringBuilder b = new StringBuilder("weight=").append(weight);
    if (max != Integer.MAX_VALUE) {
      b.append(" max=").append(max);
    }
    if (grace != null) {
      b.append(" graceMillis=").append(grace.toMillis());
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static MemberData parse(byte[] data) {
    int weight = 1;
    int max = Integer.MAX_VALUE;
    Duration grace = null;
    for (String field : new String(data, StandardCharsets.UTF_8).trim().split("\\s+")) {
      int eq = field.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value = field.substring(eq + 1);
      try {
        switch (field.substring(0, eq)) {
          case "weight" -> weight = Math.max(1, Integer.parseInt(value));
          case "max" -> max = Math.max(0, Integer.parseInt(value));
          case "graceMillis" -> grace = Duration.ofMillis(Math.max(0, Long.parseLong(value)));
          default -> { }
        }
      } catch (NumberFormatException malformed) {
        // the default stands
      }
    }
    return new MemberData(weight, max, grace);
  }

  PartitionAssignment.Capacity capacity() {
    return new PartitionAssignment.Capacity(weight, max);
  }
}
