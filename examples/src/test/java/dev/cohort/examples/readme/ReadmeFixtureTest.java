package dev.cohort.examples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** README's crash-and-restart snippet: a job a crashed worker held is claimed again after restart. */
class ReadmeFixtureTest extends ReadmeTestBase {

  @Test
  void aJobHeldByACrashedWorkerIsClaimedAgainAfterItsSessionTimesOut() throws Exception {
    WorkQueue.builder(admin, "/jobs").build().put("job-1".getBytes(UTF_8));
    // snippet: readme-crash
    Cohort worker = fixture.newClient(b -> b.sessionTimeout(Duration.ofSeconds(10)));
    Job job = WorkQueue.builder(worker, "/jobs").build().take(Duration.ofSeconds(5)).orElseThrow();
    fixture.crash(worker);                               // mid-job: no complete(), no fail()
    fixture.advanceTime(Duration.ofSeconds(11));         // in-memory: the session times out
    Cohort again = fixture.restart(worker);              // a new process, a new session
    // end-snippet
    Optional<Job> retaken = WorkQueue.builder(again, "/jobs").build().take(Duration.ofSeconds(5));
    assertTrue(retaken.isPresent(), "the crashed worker's job is pending again");
    assertArrayEquals(job.payload(), retaken.get().payload());
  }
}
