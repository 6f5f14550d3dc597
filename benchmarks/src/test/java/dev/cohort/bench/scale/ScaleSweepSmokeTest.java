package dev.cohort.bench.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep runs end to end at tiny sizes: rows in the table, a real PNG per scenario. No speed is asserted. */
class ScaleSweepSmokeTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path out;

  @Test
  void quickSweepOnInMemoryPrintsARowPerScenarioAndWritesAPngForEach() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status = ScaleSweep.run(new PrintStream(printed, true, StandardCharsets.UTF_8), "--quick", "--backends", "inmemory",
        "--sizes", "10", "--seconds", "0.1", "--rounds", "1", "--out", out.toString());
    String text = printed.toString(StandardCharsets.UTF_8);

    assertEquals(0, status, text);
    String table = Files.readString(out.resolve("results.md"));
    for (Scenario scenario : Scenarios.ALL) {
      // A measured row has figures in its µs/op and requests/op cells, not the dash of a missing one.
      List<String> rows = table.lines().filter(l -> l.startsWith("| " + scenario.name() + " | in-memory | 10 |")).toList();
      assertEquals(1, rows.size(), "one row for " + scenario.name() + " in\n" + table);
      String[] cells = rows.get(0).split("\\|");
      assertTrue(cells[4].trim().matches("[0-9][0-9,.]*"), "µs/op of " + rows.get(0));
      assertTrue(cells[5].trim().matches("[0-9][0-9,.]*"), "requests/op of " + rows.get(0));
      assertTrue(Double.parseDouble(cells[5].trim().replace(",", "")) >= 1, "an operation sends requests: " + rows.get(0));

      Path png = out.resolve("scale-" + scenario.name() + ".png");
      assertTrue(Files.size(png) > PNG_SIGNATURE.length, png + " is empty");
      assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(Files.readAllBytes(png), PNG_SIGNATURE.length), png + " is not a PNG");
    }
    assertTrue(text.contains(table.lines().findFirst().orElseThrow()), "the table is printed too");
  }

  @Test
  void refusedUnaffordableAndFailingPointsAreRowsWithTheirReasonNotCrashes() throws Exception {
    Scenario refusing = Scenario.named("refusing", "refuses above 10")
        .sizes(10, 20)
        .limit(Backend.INMEMORY, 100, "never reached")
        .setup((env, n) -> {
          if (n > 10) {
            throw new Refused("refused: at most 10");
          }
          var client = env.client();
          return () -> {
            client.blocking().exists("/", null);
            return 1;
          };
        });
    Scenario limited = Scenario.named("limited", "skipped above 10")
        .sizes(10, 1_000_000)
        .limit(Backend.INMEMORY, 10, "a million is too many for this test")
        .setup((env, n) -> () -> 1);
    Scenario failing = Scenario.named("failing", "fails")
        .sizes(10)
        .setup((env, n) -> {
          throw new IllegalStateException("broken setup");
        });
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status = ScaleSweep.run(new PrintStream(printed, true, StandardCharsets.UTF_8), List.of(refusing, limited, failing),
        "--backends", "inmemory", "--seconds", "0.05", "--rounds", "1", "--out", out.toString());
    String table = Files.readString(out.resolve("results.md"));

    assertEquals(0, status, printed.toString(StandardCharsets.UTF_8));
    assertTrue(table.contains("| refusing | in-memory | 10 | "), table);
    assertFalse(table.lines().filter(l -> l.startsWith("| refusing | in-memory | 10 |")).findFirst().orElseThrow().contains("—"), table);
    assertTrue(table.contains("| refusing | in-memory | 20 | — | — | — |") && table.contains("refused: at most 10"), table);
    assertTrue(table.contains("| limited | in-memory | 1M | — | — | — | — | skipped: not affordable [1] |")
        && table.contains("[1] in-memory limited: not affordable because a million is too many for this test."), table);
    assertTrue(printed.toString(StandardCharsets.UTF_8)
        .contains("in-memory: 1M not affordable because a million is too many for this test"), "the console says why");
    assertTrue(table.contains("| failing | in-memory | 10 | — |") && table.contains("broken setup"), table);
    assertTrue(Files.exists(out.resolve("scale-refusing.png")), "a chart for the scenario with a measured point");
    assertFalse(Files.exists(out.resolve("scale-failing.png")), "no chart without a measured point");
  }
}
