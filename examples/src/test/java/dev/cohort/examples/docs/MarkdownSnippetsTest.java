package dev.cohort.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownSnippetsTest {

  private static final String SOURCE = String.join("\n",
      "class Example {",
      "  void run() {",
      "    // snippet: hello",
      "    String greeting = \"hello\";",
      "    if (greeting.isEmpty()) {",
      "      throw new IllegalStateException();",
      "    }",
      "    // end-snippet",
      "  }",
      "}");

  private static final String DOC = String.join("\n",
      "# Title",
      "",
      "Some text with an unmarked block:",
      "```java",
      "int ignored = 1;",
      "```",
      "",
      "<!-- snippet: hello -->",
      "```java",
      "String greeting = \"hello\";",
      "if (greeting.isEmpty()) {",
      "  throw new IllegalStateException();",
      "}",
      "```",
      "");

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void matchingSnippetPassesDespiteDifferentIndentation() throws IOException {
    Path md = write("doc.md", DOC);
    Path src = write("Example.java", SOURCE);
    assertEquals(List.of(), MarkdownSnippets.check(md, src));
    MarkdownSnippets.assertInSync(md, src);
  }

  @Test
  void mismatchFailsWithALineDiff() throws IOException {
    Path md = write("doc.md", DOC.replace("throw new IllegalStateException();", "throw new IllegalArgumentException();"));
    Path src = write("Example.java", SOURCE);
    AssertionError e = assertThrows(AssertionError.class, () -> MarkdownSnippets.assertInSync(md, src));
    String m = e.getMessage();
    assertTrue(m.contains("snippet 'hello' in doc.md differs from Example.java"), m);
    assertTrue(m.contains("  - " + "  throw new IllegalStateException();"), m);
    assertTrue(m.contains("  + " + "  throw new IllegalArgumentException();"), m);
    assertTrue(m.contains("    String greeting = \"hello\";"), "unchanged lines are shown as context: " + m);
  }

  @Test
  void snippetShownButNotInSourceFails() throws IOException {
    Path md = write("doc.md", DOC + "\n<!-- snippet: ghost -->\n```java\nx();\n```\n");
    Path src = write("Example.java", SOURCE);
    List<String> problems = MarkdownSnippets.check(md, src);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("'ghost' is shown in doc.md but no source has"), problems.get(0));
  }

  @Test
  void regionInSourceButNotShownFails() throws IOException {
    Path md = write("doc.md", DOC);
    Path src = write("Example.java", SOURCE.replace("  }\n}", "    // snippet: extra\n    x();\n    // end-snippet\n  }\n}"));
    List<String> problems = MarkdownSnippets.check(md, src);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("'extra' in Example.java is not shown in doc.md"), problems.get(0));
  }

  @Test
  void malformedInputIsReported() {
    assertThrows(IllegalArgumentException.class,
        () -> MarkdownSnippets.sourceSnippets("// snippet: a\nx();\n"), "unterminated region");
    assertThrows(IllegalArgumentException.class,
        () -> MarkdownSnippets.sourceSnippets("// snippet: a\n// snippet: b\n// end-snippet\n"), "nested region");
    assertThrows(IllegalArgumentException.class,
        () -> MarkdownSnippets.sourceSnippets("// snippet: a\n// end-snippet\n// snippet: a\n// end-snippet\n"),
        "duplicate name");
    assertThrows(IllegalArgumentException.class,
        () -> MarkdownSnippets.markdownSnippets("<!-- snippet: a -->\ntext\n```java\nx();\n```\n"),
        "marker followed by prose");
    assertThrows(IllegalArgumentException.class,
        () -> MarkdownSnippets.markdownSnippets("<!-- snippet: a -->\n```java\nx();\n"), "unclosed fence");
  }

  @Test
  void sameNameInTwoSourcesFails() throws IOException {
    Path md = write("doc.md", DOC);
    Path one = write("Example.java", SOURCE);
    Path two = write("Other.java", SOURCE);
    List<String> problems = MarkdownSnippets.check(md, one, two);
    assertTrue(problems.stream().anyMatch(p -> p.contains("defined in both Example.java and Other.java")),
        problems.toString());
  }

  @Test
  void normalizeDropsCommonIndentAndEdgeBlankLines() {
    assertEquals("a\n  b\n\nc", MarkdownSnippets.normalize("\n    a   \n      b\n\n    c\n\n"));
    Map<String, String> md = MarkdownSnippets.markdownSnippets("- item\n\n  <!-- snippet: s -->\n  ```java\n  y();\n  ```\n");
    assertEquals(Map.of("s", "y();"), md);
  }

  @Test
  void projectFileFindsTheRepositoryRoot() {
    assertTrue(Files.isRegularFile(MarkdownSnippets.projectFile("examples/pom.xml")));
  }
}
