package dev.cohort.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps code shown in markdown identical to code that is compiled and run as a test.
 *
 * <p>In markdown, a fenced code block is a <em>snippet</em> when the nearest non-blank line before its
 * opening fence is a marker {@code <!-- snippet: NAME -->}. In Java sources, a snippet is the region
 * between a line {@code // snippet: NAME} and the next line {@code // end-snippet} (both markers
 * excluded). Names are made of letters, digits, {@code .}, {@code _} and {@code -}.
 *
 * <p>Two snippets are equal when they are equal line by line after: trailing whitespace is removed
 * from every line, leading and trailing blank lines are dropped, and the indentation common to all
 * non-blank lines is removed. So a region indented inside a method matches a block flush left in the
 * markdown.
 *
 * <p>{@link #check} is strict both ways: every marked markdown block must have a source region of the
 * same name and equal text, and every source region must appear in the markdown. Malformed input
 * (a marker not followed by a fenced block, an unterminated fence or region, nested regions, a name
 * used twice) is also reported. {@link #assertInSync} turns a non-empty report into one
 * {@link AssertionError} listing every problem with a line diff.
 *
 * <p>Stable API (other tests use it): {@link #check}, {@link #assertInSync}, {@link #markdownSnippets},
 * {@link #sourceSnippets}, {@link #normalize}, {@link #projectFile}.
 */
public final class MarkdownSnippets {

  private static final String NAME = "([A-Za-z0-9._-]+)";
  private static final Pattern MD_MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*" + NAME + "\\s*-->\\s*$");
  private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})(.*)$");
  private static final Pattern SRC_START = Pattern.compile("^\\s*//\\s*snippet:\\s*" + NAME + "\\s*$");
  private static final Pattern SRC_END = Pattern.compile("^\\s*//\\s*end-snippet\\s*$");

  private MarkdownSnippets() {}

  /**
   * Resolves a path relative to the repository root (the nearest directory at or above the working
   * directory that holds {@code mvnw}), so a test finds {@code docs/...} whether Maven runs it from the
   * module directory or the root.
   *
   * @param relative a path such as {@code "docs/migrating-from-curator.md"}
   * @return the absolute path (which need not exist)
   * @throws IllegalStateException if no directory above the working directory holds {@code mvnw}
   */
  public static Path projectFile(String relative) {
    Path dir = Paths.get("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw"))) {
        return d.resolve(relative);
      }
    }
    throw new IllegalStateException("no repository root (a directory with mvnw) at or above " + dir);
  }

  /**
   * Checks a markdown file against Java sources and fails with every problem found.
   *
   * @param markdown the markdown file
   * @param sources the source files whose regions the markdown shows (at least one)
   * @throws AssertionError listing each missing, extra, mismatched or malformed snippet
   */
  public static void assertInSync(Path markdown, Path... sources) {
    List<String> problems = check(markdown, sources);
    if (!problems.isEmpty()) {
      throw new AssertionError(
          problems.size() + " snippet problem(s) in " + markdown.getFileName() + ":\n\n" + String.join("\n\n", problems));
    }
  }

  /**
   * Compares a markdown file's snippets with the regions of the given Java sources.
   *
   * @param markdown the markdown file
   * @param sources the source files (at least one)
   * @return the problems found, each a human-readable paragraph; empty when in sync
   * @throws IllegalArgumentException if no source is given
   * @throws UncheckedIOException if a file cannot be read
   */
  public static List<String> check(Path markdown, Path... sources) {
    if (sources.length == 0) {
      throw new IllegalArgumentException("give at least one source file");
    }
    List<String> problems = new ArrayList<>();
    Map<String, String> shown = markdownSnippets(markdown.getFileName().toString(), read(markdown), problems);
    Map<String, String> compiled = new LinkedHashMap<>();
    Map<String, Path> origin = new LinkedHashMap<>();
    for (Path source : sources) {
      Map<String, String> regions = sourceSnippets(source.getFileName().toString(), read(source), problems);
      for (Map.Entry<String, String> e : regions.entrySet()) {
        Path earlier = origin.putIfAbsent(e.getKey(), source);
        if (earlier != null) {
          problems.add("snippet '" + e.getKey() + "' is defined in both " + earlier.getFileName() + " and "
              + source.getFileName());
        } else {
          compiled.put(e.getKey(), e.getValue());
        }
      }
    }
    for (Map.Entry<String, String> e : shown.entrySet()) {
      String code = compiled.get(e.getKey());
      if (code == null) {
        problems.add("snippet '" + e.getKey() + "' is shown in " + markdown.getFileName()
            + " but no source has a '// snippet: " + e.getKey() + "' region");
      } else {
        String diff = diff(code, e.getValue());
        if (diff != null) {
          problems.add("snippet '" + e.getKey() + "' in " + markdown.getFileName() + " differs from "
              + origin.get(e.getKey()).getFileName() + " (- source, + markdown):\n" + diff);
        }
      }
    }
    for (String name : compiled.keySet()) {
      if (!shown.containsKey(name)) {
        problems.add("snippet '" + name + "' in " + origin.get(name).getFileName() + " is not shown in "
            + markdown.getFileName() + " (add '<!-- snippet: " + name + " -->' before a code block)");
      }
    }
    return problems;
  }

  /**
   * The marked code blocks of a markdown text, normalized, in document order.
   *
   * @param markdown the markdown text
   * @return snippet name to normalized code
   * @throws IllegalArgumentException if the text is malformed (see the class comment)
   */
  public static Map<String, String> markdownSnippets(String markdown) {
    List<String> problems = new ArrayList<>();
    Map<String, String> result = markdownSnippets("markdown", markdown, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return result;
  }

  /**
   * The {@code // snippet:} regions of a Java source text, normalized, in source order.
   *
   * @param source the source text
   * @return snippet name to normalized code
   * @throws IllegalArgumentException if the text is malformed (see the class comment)
   */
  public static Map<String, String> sourceSnippets(String source) {
    List<String> problems = new ArrayList<>();
    Map<String, String> result = sourceSnippets("source", source, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return result;
  }

  /**
   * Normalizes code for comparison: trailing whitespace removed, leading and trailing blank lines
   * dropped, common indentation removed, tabs left as they are, lines joined with {@code \n}.
   *
   * @param code the code
   * @return the normalized code
   */
  public static String normalize(String code) {
    List<String> lines = new ArrayList<>();
    for (String line : code.split("\\R", -1)) {
      lines.add(line.stripTrailing());
    }
    while (!lines.isEmpty() && lines.get(0).isEmpty()) {
      lines.remove(0);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isEmpty()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(line.isEmpty() ? line : line.substring(indent));
    }
    return out.toString();
  }

  private static Map<String, String> markdownSnippets(String file, String text, List<String> problems) {
    Map<String, String> result = new LinkedHashMap<>();
    String[] lines = text.split("\\R", -1);
    String pending = null;
    int pendingLine = 0;
    for (int i = 0; i < lines.length; i++) {
      Matcher marker = MD_MARKER.matcher(lines[i]);
      Matcher fence = FENCE.matcher(lines[i]);
      if (marker.matches()) {
        if (pending != null) {
          problems.add(file + ":" + pendingLine + ": marker '" + pending + "' is not followed by a code block");
        }
        pending = marker.group(1);
        pendingLine = i + 1;
      } else if (fence.matches()) {
        String ticks = fence.group(2);
        int end = i + 1;
        while (end < lines.length && !isClosingFence(lines[end], ticks)) {
          end++;
        }
        if (end == lines.length) {
          problems.add(file + ":" + (i + 1) + ": code block is never closed");
          return result;
        }
        if (pending != null) {
          String code = normalize(String.join("\n", java.util.Arrays.asList(lines).subList(i + 1, end)));
          if (result.putIfAbsent(pending, code) != null) {
            problems.add(file + ":" + pendingLine + ": snippet '" + pending + "' is shown twice");
          }
          pending = null;
        }
        i = end;
      } else if (!lines[i].isBlank() && pending != null) {
        problems.add(file + ":" + pendingLine + ": marker '" + pending + "' is not followed by a code block");
        pending = null;
      }
    }
    if (pending != null) {
      problems.add(file + ":" + pendingLine + ": marker '" + pending + "' is not followed by a code block");
    }
    return result;
  }

  private static boolean isClosingFence(String line, String ticks) {
    String t = line.strip();
    return t.length() >= ticks.length() && t.chars().allMatch(c -> c == ticks.charAt(0));
  }

  private static Map<String, String> sourceSnippets(String file, String text, List<String> problems) {
    Map<String, String> result = new LinkedHashMap<>();
    String[] lines = text.split("\\R", -1);
    String open = null;
    int openLine = 0;
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      Matcher start = SRC_START.matcher(lines[i]);
      if (start.matches()) {
        if (open != null) {
          problems.add(file + ":" + (i + 1) + ": region '" + start.group(1) + "' starts inside region '" + open
              + "' (line " + openLine + "); regions do not nest");
        }
        open = start.group(1);
        openLine = i + 1;
        body.setLength(0);
      } else if (SRC_END.matcher(lines[i]).matches()) {
        if (open == null) {
          problems.add(file + ":" + (i + 1) + ": '// end-snippet' without a '// snippet:' before it");
        } else {
          if (result.putIfAbsent(open, normalize(body.toString())) != null) {
            problems.add(file + ":" + openLine + ": region '" + open + "' is defined twice");
          }
          open = null;
        }
      } else if (open != null) {
        body.append(lines[i]).append('\n');
      }
    }
    if (open != null) {
      problems.add(file + ":" + openLine + ": region '" + open + "' has no '// end-snippet'");
    }
    return result;
  }

  /** A line diff (longest common subsequence), or null when equal. */
  private static String diff(String source, String markdown) {
    if (source.equals(markdown)) {
      return null;
    }
    String[] a = source.split("\n", -1);
    String[] b = markdown.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        out.append("    ").append(a[i]).append('\n');
        i++;
        j++;
      } else if (j == b.length || (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.append("  - ").append(a[i]).append('\n');
        i++;
      } else {
        out.append("  + ").append(b[j]).append('\n');
        j++;
      }
    }
    return out.toString().stripTrailing();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
