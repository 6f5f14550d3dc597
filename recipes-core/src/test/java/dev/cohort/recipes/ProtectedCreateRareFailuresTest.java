package dev.cohort.recipes;

import dev.cohort.inmemory.InMemoryFixture;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures too rare to provoke with the fixture's controls, forced with Mockito around a real
 * in-memory session: every call goes to the real session, and chosen replies are turned into lost
 * ones after the real operation was applied. The tree is the real one.
 */
class ProtectedCreateRareFailuresTest {

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final AtomicInteger lostCreates = new AtomicInteger();
  private final AtomicInteger lostListings = new AtomicInteger();
  private final AtomicInteger lostDeletes = new AtomicInteger();
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  /** A client whose session loses the replies of the first {@code n} creates, listings and deletes. */
  private Cohort clientLosing(int creates, int listings, int deletes) throws Exception {
    return clientLosing(creates, listings, deletes, RetryPolicy.defaultPolicy());
  }

  private Cohort clientLosing(int creates, int listings, int deletes, RetryPolicy policy) throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    doAnswer(inv -> {
      CompletableFuture<Created> applied = real.create(inv.getArgument(0), inv.getArgument(1), inv.getArgument(2));
      // never block here: this may run inside the backend's delivery of another callback
      return applied.handle((v, e) -> e == null).thenCompose(succeeded ->
          succeeded && lostCreates.getAndIncrement() < creates ? lost(inv.getArgument(0)) : applied);
    }).when(session).create(anyString(), any(byte[].class), any(CreateMode.class));
    doAnswer(inv -> lostListings.getAndIncrement() < listings
        ? lost(inv.getArgument(0)) : real.getChildren(inv.getArgument(0), inv.getArgument(1)))
        .when(session).getChildren(anyString(), any());
    doAnswer(inv -> {
      CompletableFuture<Void> applied = real.delete(inv.getArgument(0), inv.getArgument(1));
      return lostDeletes.getAndIncrement() < deletes ? lost(inv.getArgument(0)) : applied;
    }).when(session).delete(anyString(), anyInt());
    return ForcedReplies.clientOn(fixture, session, b -> b.namespace("/rare").retryPolicy(policy));
  }

  private static <T> CompletableFuture<T> lost(String path) {
    return ForcedReplies.lost(path);
  }

  @Test
  void aLostCreateReplyFollowedByALostListingStillYieldsExactlyOneNode() throws Exception {
    client = clientLosing(1, 1, 0);
    client.blocking().createWithParents("/p", new byte[0], CreateMode.PERSISTENT);
    lostCreates.set(0);
    lostListings.set(0);
    OwnedNode node = client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    List<String> children = fixture.openSession().getChildren("/rare/p").get(10, TimeUnit.SECONDS).names();
    assertEquals(List.of(node.name()), children, "one node, found again, none leaked");
    assertEquals(2, lostListings.get(), "the first lookup was lost and retried");
  }

  @Test
  void aProtectedCreateThatGivesUpAfterALostReplySweepsAwayTheNodeItMayHaveMade() throws Exception {
    client = clientLosing(0, 0, 0, RetryPolicy.none());
    client.blocking().createWithParents("/p", new byte[0], CreateMode.PERSISTENT);
    client.close();
    lostCreates.set(0);
    client = clientLosing(1, 0, 0, RetryPolicy.none());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.async().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL).get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof ConnectionLossException, e.getCause().toString());
    Session observer = fixture.openSession();
    await().until(() -> observer.getChildren("/rare/p").get(10, TimeUnit.SECONDS).names().isEmpty());
    assertEquals(1, lostCreates.get(), "the create was applied, its reply lost");
  }

  @Test
  void aDeleteWhoseReplyWasLostIsNotReportedAsAFailure() throws Exception {
    client = clientLosing(0, 0, 1);
    OwnedNode node = client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    boolean deleted = client.async().deleteIfOwned(node).get(10, TimeUnit.SECONDS);
    assertEquals(false, deleted, "the retry met NoNode: done, though this call cannot prove it deleted it");
    assertTrue(fixture.openSession().getChildren("/rare/p").get(10, TimeUnit.SECONDS).names().isEmpty());
    assertEquals(2, lostDeletes.get(), "one lost delete, one retry");
  }

  // ---- persistent protected creates (issue #13) ---------------------------------------------

  /**
   * A client whose session applies the first create of a persistent node under {@code /rare/p}
   * (plain or inside a multi), runs {@code meanwhile} (given the real session and the created path)
   * and then loses the reply.
   */
  private Cohort clientLosingFirstPersistentCreate(BiFunction<Session, String, CompletableFuture<?>> meanwhile)
      throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicInteger armed = new AtomicInteger(1);
    doAnswer(inv -> {
      String path = inv.getArgument(0);
      CreateMode mode = inv.getArgument(2);
      CompletableFuture<Created> applied = real.create(path, inv.getArgument(1), mode);
      if (mode.isEphemeral() || !path.startsWith("/rare/p/")) {
        return applied;
      }
      return applied.thenCompose(created -> {
        if (armed.getAndDecrement() <= 0) {
          return CompletableFuture.completedFuture(created);
        }
        return meanwhile.apply(real, created.path()).thenCompose(x -> lost(path));
      });
    }).when(session).create(anyString(), any(byte[].class), any(CreateMode.class));
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      CompletableFuture<List<OpResult>> applied = real.multi(ops);
      boolean persistentCreate = ops.stream().anyMatch(op -> op instanceof Op.Create c
          && !c.mode().isEphemeral() && c.path().startsWith("/rare/p/"));
      if (!persistentCreate) {
        return applied;
      }
      return applied.thenCompose(results -> {
        if (armed.getAndDecrement() <= 0) {
          return CompletableFuture.completedFuture(results);
        }
        String created = results.stream()
            .filter(r -> r instanceof OpResult.CreateResult c && c.path().startsWith("/rare/p/"))
            .map(r -> ((OpResult.CreateResult) r).path()).findFirst().orElseThrow();
        return meanwhile.apply(real, created).thenCompose(x -> lost("multi"));
      });
    }).when(session).multi(anyList());
    return ForcedReplies.clientOn(fixture, session, b -> b.namespace("/rare"));
  }

  /**
   * The create of a persistent node is applied, and before its lost reply is dealt with another
   * session consumes the node (as a queue worker takes and completes a job). Not finding its node
   * does not mean the create was not applied: it must not create a second one.
   */
  @Test
  void aPersistentProtectedCreateWhoseNodeIsConsumedBeforeTheLookupIsNotCreatedAgain() throws Exception {
    Session consumer = fixture.openSession();
    consumer.create("/rare", new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    consumer.create("/rare/p", new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    client = clientLosingFirstPersistentCreate((real, created) -> consumer.delete(created, -1));

    OwnedNode node = client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL);

    assertEquals(List.of(), consumer.getChildren("/rare/p").get(10, TimeUnit.SECONDS).names(),
        "the consumed node was not created a second time");
    assertTrue(node.name().startsWith(Operations.PROTECTED_MARKER), node.toString());
    assertEquals(client.sessionId(), node.sessionId());
  }

  /**
   * The create of a persistent node is applied, its reply lost, and the session expires before the
   * client can learn the outcome: the create must fail as outcome-unknown, not with an error that
   * reads as "not applied".
   */
  @Test
  void aPersistentProtectedCreateWhoseSessionEndsBeforeItsOutcomeIsLearntFailsAsOutcomeUnknown() throws Exception {
    Session observer = fixture.openSession();
    observer.create("/rare", new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    observer.create("/rare/p", new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    Session[] clientSession = new Session[1];
    client = clientLosingFirstPersistentCreate((real, created) -> CompletableFuture.runAsync(() -> {
      clientSession[0] = real;
      fixture.expire(real);
    }));

    ExecutionException e = assertThrows(ExecutionException.class, () -> client.async()
        .createProtected("/p", "n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL).get(10, TimeUnit.SECONDS));

    assertTrue(e.getCause() instanceof ConnectionLossException && ((ConnectionLossException) e.getCause()).isOutcomeUnknown(),
        e.getCause().toString());
    assertEquals(1, observer.getChildren("/rare/p").get(10, TimeUnit.SECONDS).names().size(),
        "the node was created once and is left as it is");
    assertEquals(SessionState.EXPIRED, clientSession[0].state());
  }

  /** Protected-create ids identify their creator: two clients with the same seed never share one. */
  @Test
  void clientsWithTheSameRandomSeedGetDifferentProtectedIds() throws Exception {
    Cohort first = Cohort.builder(fixture.backend()).random(new Random(1)).build();
    Cohort second = Cohort.builder(fixture.backend()).random(new Random(1)).build();
    try (first; second) {
      first.start();
      second.start();
      OwnedNode a = first.blocking().createProtected("/ids", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
      OwnedNode b = second.blocking().createProtected("/ids", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
      String markerA = a.name().substring(0, a.name().indexOf("-n-"));
      String markerB = b.name().substring(0, b.name().indexOf("-n-"));
      assertTrue(!markerA.equals(markerB), a.name() + " and " + b.name() + " carry the same id");
    }
  }

  /**
   * Receipts are resources of the service: a client keeps at most one receipt slot per create it
   * has in flight at once, reused from create to create, and none outlives its session.
   */
  @Test
  void persistentProtectedCreatesReuseOneReceiptSlotPerCreateInFlight() throws Exception {
    client = Cohort.builder(fixture.backend()).namespace("/rare").build();
    client.start();
    for (int i = 0; i < 50; i++) {
      client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL);
    }
    Session observer = fixture.openSession();
    assertEquals(50, observer.getChildren("/rare/p").get(10, TimeUnit.SECONDS).names().size());
    assertEquals(1, observer.getChildren("/rare" + Operations.RECEIPTS).get(10, TimeUnit.SECONDS).names().size(),
        "one slot for one create at a time");

    client.close();
    await().until(() -> observer.getChildren("/rare" + Operations.RECEIPTS).get(10, TimeUnit.SECONDS).names().isEmpty());
    client = null;
  }
}
