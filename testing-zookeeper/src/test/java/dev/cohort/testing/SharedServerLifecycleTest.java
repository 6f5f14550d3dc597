package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared ZooKeeper server lives as long as the JVM, and must not be what keeps it alive.
 * Regression: its threads were not daemons, so a program whose main returned after using a
 * ZooKeeper fixture never exited.
 */
class SharedServerLifecycleTest {

  /** A program that uses a ZooKeeper fixture and returns from main without calling exit. */
  public static final class UsesAFixtureAndReturns {
    public static void main(String[] args) throws InterruptedException {
      try (CohortFixture fixture = CohortFixture.zookeeper()) {
        fixture.newClient().blocking().create("/x", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
      }
      System.out.println("returned");
    }
  }

  @Test
  void aProgramThatUsedTheFixtureExitsWhenItsMainReturns() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Path log = Files.createTempFile("cohort-child-", ".log");
    Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", UsesAFixtureAndReturns.class.getName()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // A hang guard, not a speed limit: the child needs seconds, a hung one never ends.
    boolean exited = child.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    assertTrue(exited, "the JVM did not exit after main returned; output:\n" + output);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("returned"), output);
  }
}
