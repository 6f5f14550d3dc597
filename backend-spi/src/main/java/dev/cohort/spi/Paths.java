package dev.cohort.spi;

import java.util.Locale;
import java.util.Objects;

/**
 * The one implementation of ZooKeeper's path rules, used by every backend and by the client, plus
 * small helpers for composing paths and reading sequence suffixes.
 *
 * <p>A valid path is absolute ({@code /}-separated, starting with {@code /}), has no trailing
 * {@code /} (except the root itself, or a sequential create's prefix), no empty segment, no segment
 * that is exactly {@code .} or {@code ..}, and none of the characters U+0000–U+001F, U+007F–U+009F,
 * U+D800–U+F8FF, U+FFF0–U+FFFF.
 */
public final class Paths {

  /** The root node. */
  public static final String ROOT = "/";

  /** The reserved system subtree; it always exists and cannot be deleted. */
  public static final String RESERVED = "/zookeeper";

  /** Digits in a sequential node's suffix. */
  public static final int SEQUENCE_DIGITS = 10;

  private Paths() {}

  /**
   * Checks {@code path} against the rules.
   *
   * @throws InvalidPathException naming the rule it breaks
   * @throws NullPointerException if path is null
   */
  public static void validate(String path) {
    validate(path, false);
  }

  /**
   * Checks {@code path}; with {@code sequential}, it is the prefix of a sequential create and may end
   * in {@code /} (the suffix will complete it).
   */
  public static void validate(String path, boolean sequential) {
    String problem = problem(path, sequential);
    if (problem != null) {
      throw new InvalidPathException(path, problem);
    }
  }

  /** Whether {@code path} is valid (not a sequential prefix). */
  public static boolean isValid(String path) {
    return problem(path, false) == null;
  }

  /** The reason {@code path} is invalid, or null if it is valid. */
  public static String problem(String path, boolean sequential) {
    Objects.requireNonNull(path, "path");
    int length = path.length();
    if (length == 0) {
      return "path is empty";
    }
    if (path.charAt(0) != '/') {
      return "path must start with /";
    }
    if (length == 1) {
      return null;
    }
    boolean endsWithSlash = path.charAt(length - 1) == '/';
    if (endsWithSlash && !sequential) {
      return "path must not end with /";
    }
    // A sequential prefix ending in '/' is checked as if the suffix were already there.
    int segmentStart = 1;
    for (int i = 1; i <= length; i++) {
      if (i == length || path.charAt(i) == '/') {
        int segmentLength = i - segmentStart;
        boolean lastSegmentOfSequential = sequential && i == length;
        if (segmentLength == 0 && !(lastSegmentOfSequential && endsWithSlash)) {
          return "empty segment at index " + i;
        }
        if (!lastSegmentOfSequential && isDotSegment(path, segmentStart, segmentLength)) {
          return "relative segment '" + path.substring(segmentStart, i) + "' is not allowed";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = path.charAt(i);
      if (isIllegal(c)) {
        return String.format(Locale.ROOT, "illegal character U+%04X at index %d", (int) c, i);
      }
    }
    return null;
  }

  private static boolean isDotSegment(String path, int start, int length) {
    return (length == 1 && path.charAt(start) == '.')
        || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
  }

  private static boolean isIllegal(char c) {
    return c <= '\u001f'
        || (c >= '\u007f' && c <= '\u009f')
        || (c >= '\ud800' && c <= '\uf8ff')
        || c >= '\ufff0';
  }

  /** The parent of a valid, non-root path; the parent of {@code /a} is {@code /}. */
  public static String parent(String path) {
    int at = path.lastIndexOf('/');
    if (path.length() <= 1 || at < 0) {
      throw new IllegalArgumentException("the root has no parent: " + path);
    }
    return at == 0 ? ROOT : path.substring(0, at);
  }

  /** The last segment of a valid path; the name of the root is the empty string. */
  public static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Joins a parent path and a child name: {@code join("/", "a")} is {@code /a}. */
  public static String join(String parent, String child) {
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(child, "child");
    return parent.equals(ROOT) ? ROOT + child : parent + "/" + child;
  }

  /** Whether {@code path} is the root or the reserved subtree, which no one may delete. */
  public static boolean isProtected(String path) {
    return path.equals(ROOT) || path.equals(RESERVED) || path.startsWith(RESERVED + "/");
  }

  /** Whether {@code path} is {@code ancestor} or lies below it. */
  public static boolean isAtOrBelow(String path, String ancestor) {
    if (ancestor.equals(ROOT)) {
      return path.startsWith(ROOT);
    }
    return path.equals(ancestor) || (path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/');
  }

  /**
   * The path a sequential create makes: {@code prefix} plus the counter formatted as {@code %010d}
   * (a negative counter, after the 32-bit wrap, keeps its sign: {@code -2147483648}).
   */
  public static String withSequence(String prefix, int counter) {
    return prefix + String.format(Locale.ROOT, "%010d", counter);
  }

  /**
   * The sequence number at the end of a sequential node's name or path.
   *
   * @throws IllegalArgumentException if it does not end in a sequence suffix
   */
  public static int sequenceOf(String nameOrPath) {
    int length = nameOrPath.length();
    if (length >= SEQUENCE_DIGITS) {
      try {
        return Integer.parseInt(nameOrPath.substring(length - SEQUENCE_DIGITS));
      } catch (NumberFormatException e) {
        // only Integer.MIN_VALUE needs eleven characters: "-2147483648"
        if (length > SEQUENCE_DIGITS && nameOrPath.charAt(length - SEQUENCE_DIGITS - 1) == '-') {
          try {
            return Integer.parseInt(nameOrPath.substring(length - SEQUENCE_DIGITS - 1));
          } catch (NumberFormatException ignored) {
            // fall through to the error below
          }
        }
      }
    }
    throw new IllegalArgumentException("no sequence suffix in " + nameOrPath);
  }

}
