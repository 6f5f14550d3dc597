package dev.cohort.examples;

import java.io.PrintWriter;
import java.util.List;

/** A plain-text table for the demo's summaries. */
final class Table {
  private Table() {}

  static void print(PrintWriter out, String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    for (int c = 0; c < header.length; c++) {
      width[c] = header[c].length();
      for (String[] row : rows) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    out.println(rule);
    out.println(line(header, width));
    out.println(rule);
    for (String[] row : rows) {
      out.println(line(row, width));
    }
    out.println(rule);
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder b = new StringBuilder("|");
    for (int c = 0; c < cells.length; c++) {
      b.append(' ').append(cells[c]).append(" ".repeat(width[c] - cells[c].length())).append(" |");
    }
    return b.toString();
  }
}
