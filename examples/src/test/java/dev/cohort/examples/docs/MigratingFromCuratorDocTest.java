package dev.cohort.examples.docs;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/migrating-from-curator.md shows exactly the code the migration tests compile and run. */
class MigratingFromCuratorDocTest {

  private static final String TESTS = "examples/src/test/java/dev/cohort/examples/migration/";

  @Test
  void everySnippetOnThePageIsATestedRegion() {
    Path page = MarkdownSnippets.projectFile("docs/migrating-from-curator.md");
    MarkdownSnippets.assertInSync(page,
        MarkdownSnippets.projectFile(TESTS + "ClientMigrationTest.java"),
        MarkdownSnippets.projectFile(TESTS + "LockMigrationTest.java"),
        MarkdownSnippets.projectFile(TESTS + "LeaderLatchMigrationTest.java"),
        MarkdownSnippets.projectFile(TESTS + "CuratorLeaders.java"),
        MarkdownSnippets.projectFile(TESTS + "LeaderSelectorMigrationTest.java"),
        MarkdownSnippets.projectFile(TESTS + "CacheMigrationTest.java"),
        MarkdownSnippets.projectFile(TESTS + "QueueMigrationTest.java"));
  }
}
