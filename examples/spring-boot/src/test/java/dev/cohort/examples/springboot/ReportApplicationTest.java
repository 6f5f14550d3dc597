package dev.cohort.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Smoke test: the application starts on the in-memory backend, leads, and runs its job. */
@SpringBootTest(properties = {"cohort.backend=in-memory", "report.interval=100ms"})
class ReportApplicationTest {

  @Autowired
  Cohort cohort;

  @Autowired
  Leadership leadership;

  @Autowired
  ReportJob job;

  @Test
  void leadsAndRunsTheJob() {
    assertThat(cohort.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    await().atMost(Duration.ofSeconds(20)).until(() -> leadership.currentTerm().isPresent());
    await().atMost(Duration.ofSeconds(20)).until(() -> job.reportsWritten() >= 1);
  }
}
