package dev.cohort.spring.boot.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spring.boot.SharedBackend;
import dev.cohort.spring.boot.autoconfigure.CohortAutoConfiguration;
import dev.cohort.spring.boot.autoconfigure.CohortHealthAutoConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CohortHealthIndicatorTest {

  private final InMemoryBackend backend = InMemoryBackend.create();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CohortAutoConfiguration.class, CohortHealthAutoConfiguration.class))
      .withPropertyValues("cohort.namespace=/health")
      .withBean(CoordinationBackend.class, () -> new SharedBackend(backend));

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void upWhileConnectedWithTheSessionInTheDetails() {
    runner.run(context -> {
      Cohort client = context.getBean(Cohort.class);
      Health health = context.getBean(CohortHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("state", "CONNECTED")
          .containsEntry("backend", "in-memory")
          .containsEntry("namespace", "/health")
          .containsEntry("sessionId", Long.toHexString(client.sessionId()));
    });
  }

  @Test
  void downWhileSuspendedAndUpAgainOnReconnect() {
    runner.run(context -> {
      Cohort client = context.getBean(Cohort.class);
      CohortHealthIndicator indicator = context.getBean(CohortHealthIndicator.class);
      Session session = client.session();
      backend.faults().disconnect(session);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("state", "SUSPENDED");
      });
      backend.faults().reconnect(session);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("state", "RECONNECTED");
      });
    });
  }

  @Test
  void downAfterAnExpiryUntilTheNewSessionIsOpen() {
    runner.run(context -> {
      Cohort client = context.getBean(Cohort.class);
      CohortHealthIndicator indicator = context.getBean(CohortHealthIndicator.class);
      long first = client.sessionId();
      backend.faults().expire(client.session());
      // the client reopens by itself: UP again, on a new session
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("state", "RECONNECTED")
            .doesNotContainEntry("sessionId", Long.toHexString(first));
      });
    });
  }

  @Test
  void downOnceTheClientIsClosed() {
    runner.run(context -> {
      Cohort client = context.getBean(Cohort.class);
      CohortHealthIndicator indicator = new CohortHealthIndicator(client);
      client.close();
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("state", "CLOSED");
    });
  }

  @Test
  void downBeforeTheClientStarts() {
    Cohort client = Cohort.builder(backend).build();
    try {
      Health health = new CohortHealthIndicator(client).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("state", "NOT_STARTED");
    } finally {
      client.close();
    }
  }
}
