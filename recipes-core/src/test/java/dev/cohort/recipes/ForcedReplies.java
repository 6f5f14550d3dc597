package dev.cohort.recipes;

import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * For failures too rare to provoke with the fixture's controls: a Mockito mock that sends every call
 * to a real in-memory session, so that a test can turn chosen replies into lost ones (after the real
 * operation was applied, or instead of it), and a client bound to such a session.
 */
public final class ForcedReplies {

  private ForcedReplies() {}

  /**
   * A mock that delegates every call to {@code real}. Its blocking view waits on the mock's own
   * asynchronous replies, so replies a test forces reach blocking callers too.
   */
  public static Session over(Session real) {
    Session session = mock(Session.class, delegatesTo(real));
    doCallRealMethod().when(session).blocking();
    return session;
  }

  /**
   * A started client on {@code fixture}'s backend whose first session is {@code session}; the
   * sessions it opens after losing that one are plain ones.
   */
  public static Cohort clientOn(InMemoryFixture fixture, Session session, UnaryOperator<Cohort.Builder> configure)
      throws InterruptedException {
    CoordinationBackend backend = mock(CoordinationBackend.class, delegatesTo(fixture.backend()));
    doReturn(CompletableFuture.completedFuture(session))
        .doAnswer(inv -> fixture.backend().openSession(inv.getArgument(0)))
        .when(backend).openSession(any(SessionConfig.class));
    Cohort client = configure.apply(Cohort.builder(backend)).build();
    client.start();
    return client;
  }

  /**
   * {@link #over} whose listings are measured: {@code longest} keeps the most names any listing
   * returned, plain or inside a read transaction.
   */
  public static Session recordingLongestListing(Session real, AtomicInteger longest) {
    Session session = over(real);
    doAnswer(inv -> real.getChildren(inv.<String>getArgument(0), inv.getArgument(1))
        .thenApply(children -> {
          longest.accumulateAndGet(children.names().size(), Math::max);
          return children;
        })).when(session).getChildren(anyString(), any());
    doAnswer(inv -> real.multi(inv.<List<Op>>getArgument(0))
        .thenApply(results -> {
          for (OpResult result : results) {
            if (result instanceof OpResult.GetChildrenResult children) {
              longest.accumulateAndGet(children.children().size(), Math::max);
            }
          }
          return results;
        })).when(session).multi(anyList());
    return session;
  }

  /** A reply lost on the way back: the outcome is unknown. */
  public static <T> CompletableFuture<T> lost(String path) {
    return CompletableFuture.failedFuture(new ConnectionLossException(path, "reply lost (forced)"));
  }
}
