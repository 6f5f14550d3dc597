package dev.cohort.spring.boot.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spring.boot.SharedBackend;
import dev.cohort.testing.CohortFixture;
import dev.cohort.spring.boot.autoconfigure.CohortAutoConfiguration;
import dev.cohort.spring.boot.autoconfigure.CohortLockRegistryAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * The real scenario: two applications (two contexts) share one backend, each runs Spring
 * Integration's {@link LockRegistryLeaderInitiator} on the auto-configured {@link
 * CohortLockRegistry}. One leads; its session expires; the other takes over. On the in-memory
 * backend and on a real ZooKeeper server. Takeover times are
 * printed (this test asserts the order of events, never their speed).
 */
class LeaderFailoverTest {

  private static final int FAILOVERS = 5;

  /** The one backend both applications use, and how the test expires a session on it. */
  interface Service extends AutoCloseable {
    CoordinationBackend backend();

    void expire(Session session);

    @Override
    void close();
  }

  static Service inMemory() {
    InMemoryBackend backend = InMemoryBackend.create();
    return new Service() {
      public CoordinationBackend backend() {
        return backend;
      }

      public void expire(Session session) {
        backend.faults().expire(session);
      }

      public void close() {
        backend.close();
      }
    };
  }

  /** A real ZooKeeper server in this JVM; the server itself expires the session. */
  static Service zookeeper() {
    CohortFixture fixture = CohortFixture.zookeeper();
    return new Service() {
      public CoordinationBackend backend() {
        return fixture.backend();
      }

      public void expire(Session session) {
        fixture.expire(session);
      }

      public void close() {
        fixture.close();
      }
    };
  }

  private Service service;

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
  }

  private ApplicationContextRunner app(Service shared) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CohortAutoConfiguration.class, CohortLockRegistryAutoConfiguration.class))
        .withPropertyValues("cohort.namespace=/failover", "cohort.session-timeout=4s")
        .withBean(CoordinationBackend.class, () -> new SharedBackend(shared.backend()))
        .withUserConfiguration(LeaderConfiguration.class);
  }

  /** What an application that wants a leader adds. */
  @Configuration(proxyBeanMethods = false)
  static class LeaderConfiguration {
    @Bean
    RecordingCandidate candidate(CohortLockRegistry registry) {
      return new RecordingCandidate(registry);
    }

    @Bean
    LockRegistryLeaderInitiator leaderInitiator(CohortLockRegistry registry, RecordingCandidate candidate) {
      return new LockRegistryLeaderInitiator(registry, candidate);
    }
  }

  /** Records each grant (with the term's fencing token) and revocation, with its System.nanoTime. */
  static final class RecordingCandidate implements Candidate {
    private final CohortLockRegistry registry;
    final List<Long> grantedAt = new CopyOnWriteArrayList<>();
    final List<FencingToken> tokens = new CopyOnWriteArrayList<>();
    final AtomicLong revokedAt = new AtomicLong();
    volatile boolean leading;

    RecordingCandidate(CohortLockRegistry registry) {
      this.registry = registry;
    }

    @Override
    public String getRole() {
      return "billing-leader";
    }

    @Override
    public String getId() {
      return Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public void onGranted(Context context) {
      // called on the initiator's thread, which holds the lock: the term's token is readable here
      tokens.add(registry.obtain(getRole()).fencingToken().orElseThrow());
      grantedAt.add(System.nanoTime());
      leading = true;
    }

    @Override
    public void onRevoked(Context context) {
      leading = false;
      revokedAt.set(System.nanoTime());
    }
  }

  @Test
  void onTheInMemoryBackendTheOtherApplicationTakesOverWhenTheLeadersSessionExpires() {
    service = inMemory();
    failovers("in-memory");
  }

  @Test
  void onZooKeeperTheOtherApplicationTakesOverWhenTheLeadersSessionExpires() {
    service = zookeeper();
    failovers("ZooKeeper (embedded server)");
  }

  private void failovers(String backendName) {
    ApplicationContextRunner app = app(service);
    List<Long> takeoverMicros = new ArrayList<>();
    List<Long> revokeMicros = new ArrayList<>();
    List<FencingToken> terms = new ArrayList<>();
    app.run(a -> app.run(b -> {
      AssertableApplicationContext[] apps = {a, b};
      RecordingCandidate[] candidates = {a.getBean(RecordingCandidate.class), b.getBean(RecordingCandidate.class)};
      await().atMost(Duration.ofSeconds(20)).until(() -> candidates[0].leading ^ candidates[1].leading);
      for (int round = 0; round < FAILOVERS; round++) {
        int leader = candidates[0].leading ? 0 : 1;
        int follower = 1 - leader;
        assertThat(candidates[follower].leading).isFalse();
        terms.add(last(candidates[leader].tokens));
        int followerGrants = candidates[follower].grantedAt.size();

        long expiredAt = System.nanoTime();
        service.expire(apps[leader].getBean(Cohort.class).session());

        await().atMost(Duration.ofSeconds(20)).until(() -> candidates[follower].grantedAt.size() > followerGrants);
        await().atMost(Duration.ofSeconds(20)).until(() -> !candidates[leader].leading);
        takeoverMicros.add((last(candidates[follower].grantedAt) - expiredAt) / 1_000);
        revokeMicros.add((candidates[leader].revokedAt.get() - expiredAt) / 1_000);
        // the new term fences the old one out
        assertThat(last(candidates[follower].tokens).isNewerThan(terms.get(terms.size() - 1))).isTrue();
        // and the old leader, on its new session, does not take the lock back
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
            .until(() -> candidates[follower].leading && !candidates[leader].leading);
      }
    }));
    List<Long> sorted = new ArrayList<>(takeoverMicros);
    sorted.sort(null);
    System.out.printf("Spring failover on the %s backend, %d expiries: takeover after expiry (ms) %s, "
            + "median %.1f; old leader revoked after (ms) %s%n",
        backendName, FAILOVERS, millis(takeoverMicros), sorted.get(sorted.size() / 2) / 1000.0, millis(revokeMicros));
    assertThat(takeoverMicros).hasSize(FAILOVERS);
  }

  private static String millis(List<Long> micros) {
    return micros.stream().map(m -> String.format("%.1f", m / 1000.0)).toList().toString();
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
