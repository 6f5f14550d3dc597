package dev.cohort.bench.zookeeper;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side harness still runs, in its short form, against a real embedded server and
 * Curator, and the request counts it reads from the server keep Cohort's claims: no more requests
 * per lock cycle than Curator, fewer per contended handoff and per job. Counts, not speeds: the
 * timings it prints are not asserted.
 */
class SideBySideSmokeTest {

  @Test
  void quickRunProducesEveryRowAndTheRequestCountsHold() throws Exception {
    List<SideBySide.Row> rows = SideBySide.measure(true, List.of()).rows();
    Map<String, SideBySide.Row> byName = rows.stream() // the raw rows' sub-rows repeat their names
        .collect(Collectors.toMap(SideBySide.Row::scenario, Function.identity(), (first, later) -> first));

    for (SideBySide.Row row : rows) {
      assertTrue(Double.isFinite(row.cohort()) && row.cohort() > 0, row.toString());
      assertTrue(Double.isFinite(row.curator()) && row.curator() > 0, row.toString());
    }
    for (String prefix : List.of("raw create", "raw getData", "raw setData", "raw delete",
        "lock acquire+release, uncontended", "lock handoffs, 4 sessions", "lock handoffs, 16 sessions",
        "leader handover on close", "work queue, ", "fixture start")) {
      assertTrue(rows.stream().anyMatch(r -> r.scenario().startsWith(prefix)), "no row " + prefix);
    }

    SideBySide.Row cycle = byName.get("round trips per lock cycle (server packets)");
    assertTrue(cycle.cohort() <= cycle.curator() + 0.05, cycle.toString());
    for (int sessions : new int[] {4, 16}) {
      SideBySide.Row handoff = byName.get("requests per handoff, " + sessions + " sessions (server packets)");
      assertTrue(handoff.cohort() < 4.5 && handoff.curator() > 4.5,
          "Cohort hands a contended lock on in at most 4 requests, Curator in 5: " + handoff);
    }
    SideBySide.Row perJob = byName.get("requests per job, put to completion (server packets)");
    assertTrue(perJob.cohort() < perJob.curator(), perJob.toString());
  }
}
