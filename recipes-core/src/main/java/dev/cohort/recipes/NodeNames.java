package dev.cohort.recipes;

import dev.cohort.spi.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Reading the names recipes give their sequential nodes: {@code _c_<uuid>-<base><sequence>} for
 * protected nodes, {@code <base><sequence>} otherwise. Pure functions.
 */
public final class NodeNames {

  /** Length of {@code _c_<36-char uuid>-}, the protection marker. */
  private static final int MARKER_LENGTH = 3 + 36 + 1;

  /** Orders names by their sequence suffix, then by name. */
  private static final Comparator<String> BY_SEQUENCE =
      Comparator.comparingInt(Paths::sequenceOf).thenComparing(Comparator.naturalOrder());

  private NodeNames() {}

  /** Whether {@code name} carries the protection marker of a protected create. */
  public static boolean isProtected(String name) {
    return name.length() > MARKER_LENGTH && name.startsWith("_c_") && name.charAt(MARKER_LENGTH - 1) == '-';
  }

  /** The name without its protection marker (and with its sequence suffix). */
  public static String withoutMarker(String name) {
    return isProtected(name) ? name.substring(MARKER_LENGTH) : name;
  }

  /** Whether {@code name} ends in a sequence suffix. */
  public static boolean hasSequence(String name) {
    try {
      Paths.sequenceOf(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The names that end in a sequence suffix, ordered by it (the order the service created them in,
   * as long as the parent's counter has not wrapped past 2^31). Other names are left out.
   */
  public static List<String> sortBySequence(Collection<String> names) {
    List<String> sorted = new ArrayList<>(names.size());
    for (String name : names) {
      if (hasSequence(name)) {
        sorted.add(name);
      }
    }
    sorted.sort(BY_SEQUENCE);
    return sorted;
  }
}
