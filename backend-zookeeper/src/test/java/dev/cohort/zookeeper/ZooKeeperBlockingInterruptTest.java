package dev.cohort.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An interrupt that reaches a caller while it waits in the blocking view for a reply: the proxy holds
 * the session's replies (the connection stays up and pings still pass), so the call is in flight
 * when the interrupt comes.
 */
class ZooKeeperBlockingInterruptTest {

  private ZooKeeperFixture fixture;
  private Session session;

  @BeforeEach
  void start() throws Exception {
    fixture = new ZooKeeperFixture();
    session = fixture.backend().openSession().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    if (session != null) {
      fixture.proxy().releaseReplies(session.id());
    }
    fixture.close();
  }

  @Test
  void aCallerInterruptedWhileWaitingForAReplyGetsInterruptedExceptionAndTheSessionCarriesOn() throws Exception {
    session.create("/a", "v1".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    fixture.proxy().holdReplies(session.id());
    Thread[] caller = new Thread[1];
    AtomicBoolean interruptFlagAfter = new AtomicBoolean(true);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    caller[0] = new Thread(() -> {
      try {
        session.blocking().setData("/a", "v2".getBytes(StandardCharsets.UTF_8), -1);
        outcome.complete(null);
      } catch (Throwable t) {
        interruptFlagAfter.set(Thread.currentThread().isInterrupted());
        outcome.complete(t);
      }
    }, "blocking-caller");
    caller[0].start();
    await().until(() -> caller[0].getState() == Thread.State.WAITING);

    caller[0].interrupt();

    Throwable thrown = outcome.get(30, TimeUnit.SECONDS);
    assertInstanceOf(InterruptedException.class, thrown);
    assertFalse(interruptFlagAfter.get(), "the flag is cleared once InterruptedException is thrown");
    assertEquals(SessionState.CONNECTED, session.state(), "an interrupted caller does not end the session");

    // The request had been sent: once its reply is let through, its effect is there.
    fixture.proxy().releaseReplies(session.id());
    assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8), session.blocking().getData("/a").data());
    assertEquals(1, session.blocking().exists("/a").version());
  }
}
