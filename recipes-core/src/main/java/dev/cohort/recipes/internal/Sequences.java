package dev.cohort.recipes.internal;

import dev.cohort.spi.Paths;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Reading a queue's listing in time linear in its length: each name's sequence suffix is parsed
 * once (not once per comparison, as a sort with a parsing comparator does), and the exclusive
 * decision needs no sort at all. Orders exactly as {@link dev.cohort.recipes.NodeNames#sortBySequence}:
 * by sequence, then by name; names without a sequence suffix are left out.
 */
final class Sequences {

  /** What {@link #of} answers for a name without a sequence suffix. */
  static final long NONE = Long.MIN_VALUE;

  private static final int DIGITS = 10;

  private Sequences() {}

  /** The name's sequence, or {@link #NONE}; the same value {@link Paths#sequenceOf} reads. */
  static long of(String name) {
    int length = name.length();
    if (length >= DIGITS) {
      long value = 0;
      int i = length - DIGITS;
      for (; i < length; i++) {
        char c = name.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
      }
      if (i == length && value <= Integer.MAX_VALUE) {
        return value;
      }
    }
    try {
      return Paths.sequenceOf(name); // signs and the rare wrapped counter: the reference parser
    } catch (IllegalArgumentException e) {
      return NONE;
    }
  }

  /** Whether {@code (seqA, a)} comes before {@code (seqB, b)}. */
  static boolean before(long seqA, String a, long seqB, String b) {
    return seqA < seqB || (seqA == seqB && a.compareTo(b) < 0);
  }

  /** The names with a sequence suffix, sorted by it (then by name); each parsed once. */
  static List<String> sort(Collection<String> names) {
    long[] keys = new long[names.size()];
    String[] kept = new String[names.size()];
    int n = 0;
    for (String name : names) {
      long seq = of(name);
      if (seq != NONE) {
        keys[n] = seq;
        kept[n++] = name;
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> keys[x] != keys[y] ? Long.compare(keys[x], keys[y]) : kept[x].compareTo(kept[y]));
    String[] sorted = new String[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = kept[order[i]];
    }
    return Arrays.asList(sorted);
  }

  /**
   * Where {@code ours} stands in a listing, for an exclusive queue: found or not, how many nodes
   * come before it, and the one just before it (null when none does). One pass, no sort.
   */
  record Standing(boolean found, int ahead, String predecessor, int queued) {}

  static Standing standing(Collection<String> names, String ours) {
    long ourSeq = of(ours);
    boolean found = false;
    int ahead = 0;
    int queued = 0;
    String predecessor = null;
    long predecessorSeq = NONE;
    for (String name : names) {
      long seq = of(name);
      if (seq == NONE) {
        continue;
      }
      queued++;
      if (name.equals(ours)) {
        found = true;
      } else if (before(seq, name, ourSeq, ours)) {
        ahead++;
        if (predecessor == null || before(predecessorSeq, predecessor, seq, name)) {
          predecessor = name;
          predecessorSeq = seq;
        }
      }
    }
    return new Standing(found, ahead, predecessor, queued);
  }
}
