package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.SessionConfig;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/** The crash of a client on a backend with real time: what each real-time fixture test checks. */
final class CrashScenario {
  private CrashScenario() {}

  /** A session timeout short enough for a quick test and long enough to see the session outlive the crash. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  static void run(CohortFixture fixture, Cohort observer) throws InterruptedException {
    Cohort worker = fixture.newClient(b -> b.sessionTimeout(TIMEOUT));
    worker.blocking().create("/worker", new byte[0], CreateMode.EPHEMERAL);
    long crashedSession = worker.sessionId();

    fixture.crash(worker);
    assertNotNull(observer.blocking().exists("/worker", null),
        "right after the crash the service still keeps the dead process's session");
    await().atMost(Duration.ofSeconds(30))
        .until(() -> observer.blocking().exists("/worker", null) == null);

    CompletionException refused = assertThrows(CompletionException.class,
        () -> worker.backend().openSession(SessionConfig.withTimeout(TIMEOUT)).join());
    assertInstanceOf(ConnectionLossException.class, refused.getCause(), "a crashed client opens no session");
    assertEquals(crashedSession, worker.sessionId(), "the crashed client still has only its old session");
    assertFalse(worker.connectionState().isConnected());

    Cohort restarted = fixture.restart(worker);
    assertNotEquals(crashedSession, restarted.sessionId());
    restarted.blocking().create("/worker", new byte[0], CreateMode.EPHEMERAL);
    assertEquals(restarted.sessionId(), observer.blocking().exists("/worker", null).ephemeralOwner());
    assertTrue(fixture.isCrashed(worker) && !fixture.isCrashed(restarted));
    assertEquals(crashedSession, worker.sessionId(), "the crashed client stays dead after the restart");
  }
}
