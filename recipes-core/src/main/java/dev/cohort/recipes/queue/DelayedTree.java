package dev.cohort.recipes.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a delayed (or prioritized) job lives, decided from its due time and priority alone: pure
 * naming, no I/O, no clock.
 *
 * <p>Under {@code delayed/} the jobs sit three directories deep, each level keyed by a slice of the
 * due time (epoch millis, at most thirteen digits), so that no directory has more than about a
 * thousand children whatever the number of jobs, and the jobs due soonest are in the first
 * directory of each level:
 * <pre>
 *   delayed/p&lt;priority&gt;-e&lt;due / 10^10, 3 digits&gt;      a lane: one priority, ~116 days
 *     w&lt;(due / 10^7) mod 1000, 3 digits&gt;               a window: ~2 h 47 min
 *       s&lt;(due / 10^4) mod 1000, 3 digits&gt;-&lt;part&gt;     a bucket: 10 s of due times
 *         &lt;protected prefix&gt;job-[p&lt;priority&gt;-]at-&lt;due&gt;-&lt;sequence&gt;
 * </pre>
 * A lane holds at most 1,000 windows and a window at most 1,000 slots; a slot's jobs fill parts of
 * {@link WorkQueue#BUCKET_SIZE}, in put order, and a window refuses a new part beyond {@link
 * #MAX_BUCKETS_PER_WINDOW} buckets. {@code delayed/} holds at most ten lanes per 116 days of due
 * times (1,000 per priority over the whole range a name can carry), and the jobs an older version
 * put there directly (at most 10,000).
 */
final class DelayedTree {
  /** Due-time span of a lane. */
  static final long LANE_MILLIS = 10_000_000_000L;
  /** Due-time span of a window. */
  static final long WINDOW_MILLIS = 10_000_000L;
  /** Due-time span of a slot, the jobs of one or more buckets. */
  static final long SLOT_MILLIS = 10_000L;
  /**
   * Buckets a window may hold: its thousand slots' first parts and a thousand more, so that a
   * window takes at least about {@link WorkQueue#MAX_PENDING_JOBS} jobs and its listing stays short.
   */
  static final int MAX_BUCKETS_PER_WINDOW = 2_000;
  /** The largest part number a bucket name carries. */
  static final int MAX_PART = 9_999;

  private DelayedTree() {}

  /** A lane: one priority's jobs due in one span of {@link #LANE_MILLIS}. */
  record Lane(int priority, long index, String name) {
    long startMillis() {
      return index * LANE_MILLIS;
    }
  }

  /** A bucket of a window: one slot's part. */
  record Bucket(int slot, int part, String name) {}

  static String laneName(int priority, long dueMillis) {
    return "p" + priority + "-" + QueueDecisions.padded("e", dueMillis / LANE_MILLIS, 3);
  }

  static String windowName(long dueMillis) {
    return QueueDecisions.padded("w", (dueMillis / WINDOW_MILLIS) % 1000, 3);
  }

  static int slotOf(long dueMillis) {
    return (int) ((dueMillis / SLOT_MILLIS) % 1000);
  }

  static String bucketName(int slot, int part) {
    if (part < 0 || part > MAX_PART) {
      throw new IllegalArgumentException("part out of range: " + part);
    }
    return QueueDecisions.padded("s", slot, 3) + QueueDecisions.padded("-", part, 4);
  }

  /** The lane of {@code name}, or null for a name that is not a lane's (an old version's job, say). */
  static Lane lane(String name) {
    if (name.length() != 7 || name.charAt(0) != 'p' || name.charAt(2) != '-' || name.charAt(3) != 'e') {
      return null;
    }
    int priority = digits(name, 1, 1);
    long index = digits(name, 4, 3);
    return priority < 0 || index < 0 ? null : new Lane(priority, index, name);
  }

  /** The window number (0..999) of {@code name}, or -1. */
  static int window(String name) {
    return name.length() == 4 && name.charAt(0) == 'w' ? digits(name, 1, 3) : -1;
  }

  /** The bucket of {@code name}, or null. */
  static Bucket bucket(String name) {
    if (name.length() != 9 || name.charAt(0) != 's' || name.charAt(4) != '-') {
      return null;
    }
    int slot = digits(name, 1, 3);
    int part = digits(name, 5, 4);
    return slot < 0 || part < 0 ? null : new Bucket(slot, part, name);
  }

  /** The lanes among {@code names}: highest priority first, then earliest first. */
  static List<Lane> lanes(List<String> names) {
    List<Lane> lanes = new ArrayList<>();
    for (String name : names) {
      Lane lane = lane(name);
      if (lane != null) {
        lanes.add(lane);
      }
    }
    lanes.sort(Comparator.comparingInt((Lane l) -> -l.priority()).thenComparingLong(Lane::index));
    return lanes;
  }

  /** The window numbers among {@code names}, ascending. */
  static List<Integer> windows(List<String> names) {
    return names.stream().mapToInt(DelayedTree::window).filter(w -> w >= 0).sorted().boxed().toList();
  }

  /** The buckets among {@code names}: earliest slot first, then by part. */
  static List<Bucket> buckets(List<String> names) {
    List<Bucket> buckets = new ArrayList<>();
    for (String name : names) {
      Bucket bucket = bucket(name);
      if (bucket != null) {
        buckets.add(bucket);
      }
    }
    buckets.sort(Comparator.comparingInt(Bucket::slot).thenComparingInt(Bucket::part));
    return buckets;
  }

  /** The newest part of slot {@code slot} among {@code buckets}, or -1 if it has none. */
  static int newestPart(List<Bucket> buckets, int slot) {
    int newest = -1;
    for (Bucket b : buckets) {
      if (b.slot() == slot) {
        newest = Math.max(newest, b.part());
      }
    }
    return newest;
  }

  static long windowStart(Lane lane, int window) {
    return lane.startMillis() + window * WINDOW_MILLIS;
  }

  static long slotStart(long windowStart, int slot) {
    return windowStart + slot * SLOT_MILLIS;
  }

  /**
   * The label of a bucket: the prefix of its jobs' claim names (and ids), {@code
   * delayed-<lane>-<window>-<bucket>}; an old version's job directly under {@code delayed/} has
   * the label {@code delayed}, as older versions named its claims.
   */
  static String label(String lane, String window, String bucket) {
    return QueueLayout.DELAYED + "-" + lane + "-" + window + "-" + bucket;
  }

  /** Whether {@code label} (a listing's bucket) is the delayed jobs' (the old directory or a tree bucket). */
  static boolean isDelayed(String label) {
    return label != null && (label.equals(QueueLayout.DELAYED) || label.startsWith(QueueLayout.DELAYED + "-"));
  }

  /** {@code count} decimal digits of {@code s} from {@code from}, or -1 if any is not a digit. */
  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
