package dev.cohort.examples.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.examples.docs.MarkdownSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * README.md shows exactly the code the README tests compile and run, and the first program the
 * scratch project in getting-started-it builds; and it keeps its two commands.
 */
class ReadmeDocTest {
  private static final String TESTS = "examples/src/test/java/dev/cohort/examples/readme/";

  @Test
  void everySnippetInReadmeIsATestedRegion() {
    MarkdownSnippets.assertInSync(MarkdownSnippets.projectFile("README.md"),
        MarkdownSnippets.projectFile(
            "getting-started-it/src/it/first-program/src/main/java/example/FirstProgram.java"),
        MarkdownSnippets.projectFile(TESTS + "ReadmeZooKeeperTest.java"),
        MarkdownSnippets.projectFile(TESTS + "ReadmeRecipesTest.java"),
        MarkdownSnippets.projectFile(TESTS + "OrderLockTest.java"),
        MarkdownSnippets.projectFile(TESTS + "ReadmeFixtureTest.java"),
        MarkdownSnippets.projectFile(TESTS + "LockOnEveryBackendTest.java"));
  }

  @Test
  void readmeKeepsItsTwoCommands() throws Exception {
    String readme = Files.readString(MarkdownSnippets.projectFile("README.md"));
    assertTrue(readme.contains("\n./mvnw -q -B -DskipTests -pl examples -am package exec:java\n"), "demo command");
    assertTrue(readme.contains("\n./mvnw -B verify\n"), "test command");
  }

  @Test
  void everyRecipeClassIsShownInReadme() throws Exception {
    String readme = Files.readString(MarkdownSnippets.projectFile("README.md"));
    Path recipes = MarkdownSnippets.projectFile("recipes-core/src/main/java/dev/cohort/recipes");
    for (String recipe : new String[] {"DistributedLock", "ReadWriteLock", "Semaphore", "MultiLock",
        "LeaderLatch", "LeaderSelector", "WorkQueue", "PartitionClaimer", "GroupMember",
        "ServiceDiscovery", "NodeCache", "ChildrenCache", "TreeCache", "SharedCounter", "DistributedAtomicLong",
        "Barrier", "DoubleBarrier", "CountDownLatch", "Rendezvous", "PersistentNode", "PersistentTtlNode",
        "LeadershipObserver"}) {
      try (var files = Files.walk(recipes)) {
        assertTrue(files.anyMatch(f -> f.getFileName().toString().equals(recipe + ".java")),
            recipe + " is still a recipe class");
      }
      assertTrue(readme.contains(recipe + ".") || readme.contains("new " + recipe + "("),
          recipe + " appears in a README snippet");
    }
  }
}
