package dev.cohort.bench.scale;

/** Sizes as the table prints them: 10, 1k, 100k, 1M. */
final class Sizes {
  private Sizes() {}

  static String format(int size) {
    if (size >= 1_000_000 && size % 1_000_000 == 0) {
      return size / 1_000_000 + "M";
    }
    if (size >= 1_000 && size % 1_000 == 0) {
      return size / 1_000 + "k";
    }
    return Integer.toString(size);
  }

  /** Parses 10, 1k, 100k, 1M or a plain number. */
  static int parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "").replace(",", "");
    int factor = 1;
    if (t.endsWith("k")) {
      factor = 1_000;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      factor = 1_000_000;
      t = t.substring(0, t.length() - 1);
    }
    int value = Math.multiplyExact(Integer.parseInt(t), factor);
    if (value < 1) {
      throw new IllegalArgumentException("a size is at least 1: " + text);
    }
    return value;
  }
}
