package dev.cohort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line: bad options exit 2 and run nothing; every option is explained; a small run exits 0. */
class DemoCommandLineTest {

  @TempDir
  Path tmp;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Demo.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err)).execute(args);
  }

  @Test
  void badOptionsExitWithCode2AndRunNothing() {
    Path out = tmp.resolve("never");
    String dir = out.toString();
    assertEquals(2, run("jobs", "--jobs", "0", "--out", dir));
    assertEquals(2, run("jobs", "--workers", "-1", "--out", dir));
    assertEquals(2, run("jobs", "--fail-rate", "0.9", "--out", dir));
    assertEquals(2, run("jobs", "--replicas", "4", "--out", dir));
    assertEquals(2, run("jobs", "--backend", "bogus", "--out", dir));
    assertEquals(2, run("jobs", "--zookeeper", "no-port-here", "--out", dir));
    assertEquals(2, run("jobs", "--zookeeper", "h:1", "--backend", "inmemory", "--out", dir));
    assertEquals(2, run("jobs", "--etcd", "no-port-here", "--out", dir));
    assertEquals(2, run("jobs", "--etcd", "h:1", "--backend", "replicated", "--out", dir));
    assertEquals(2, run("jobs", "--etcd", "h:1", "--zookeeper", "h:2", "--out", dir));
    assertEquals(2, run("jobs", "--backend", "etcd", "--out", dir));
    assertEquals(2, run("capacity", "--max-workers", "0", "--out", dir));
    assertEquals(2, run("leader", "--rounds", "9", "--participants", "3"));
    assertEquals(2, run("partitions", "--members", "1"));
    assertEquals(2, run("no-such-command"));
    assertFalse(Files.exists(out), "a rejected command wrote nothing");
    assertTrue(err.toString().contains("--replicas must be 1, 3, 5 or 7"), "the reason is given");
  }

  @Test
  void everyOptionOfEverySubcommandIsExplained() {
    CommandLine cmd = Demo.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(6, cmd.getSubcommands().size());
    for (CommandLine sub : cmd.getSubcommands().values()) {
      assertTrue(sub.getCommandSpec().usageMessage().description().length > 0, sub.getCommandName());
      for (OptionSpec option : sub.getCommandSpec().options()) {
        String text = String.join(" ", option.description());
        assertFalse(text.isBlank(), sub.getCommandName() + " " + option.longestName() + " has no description");
      }
    }
  }

  @Test
  void smallJobsRunOnTheInMemoryBackendExitsZeroAndWritesItsChartWhereTold() {
    Path out = tmp.resolve("charts");
    assertEquals(0, run("jobs", "--backend", "inmemory", "--jobs", "60", "--work-ms", "0", "--out", out.toString()));
    assertTrue(Files.exists(out.resolve("jobs-throughput.png")));
  }
}
