package dev.cohort.recipes.partition;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.group.DuplicateMemberException;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The partition claimer's guarantees, on any backend: subclasses supply the fixture. */
public abstract class PartitionClaimerSuite {
  private static final String ROOT = "/jobs";
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final Map<String, Member> members = new LinkedHashMap<>();
  /** Who the listeners say owns each partition right now; a second owner is a violation. */
  private final Map<String, String> believedOwner = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  /** Highest fencing token handed out per partition: tokens must grow with every new owner. */
  private final Map<String, Long> lastToken = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() {
    fixture = newFixture();
  }

  @AfterEach
  void tearDown() {
    // A crashed member's client goes first: its claimer would otherwise wait out its close timeout
    // trying to release partitions on a session that is gone.
    members.values().stream().filter(m -> m.crashed).forEach(m -> m.client.close());
    members.values().forEach(m -> m.claimer.close());
    clients.forEach(Cohort::close);
    fixture.close();
  }

  /** One member: its client, claimer and the revocations its listener saw. */
  private final class Member implements PartitionListener {
    final String id;
    Cohort client;
    PartitionClaimer claimer;
    final AtomicInteger revocations = new AtomicInteger();
    volatile boolean crashed;

    Member(String id) {
      this.id = id;
    }

    @Override
    public void assigned(Partition partition) {
      if (crashed) {
        return;
      }
      String previous = believedOwner.putIfAbsent(partition.id(), id);
      if (previous != null) {
        violations.add(partition.id() + " assigned to " + id + " while " + previous + " owns it");
      }
      Long last = lastToken.put(partition.id(), partition.fencingToken().value());
      if (last != null && last >= partition.fencingToken().value()) {
        violations.add(partition.id() + " token did not grow: " + last + " then " + partition.fencingToken().value());
      }
    }

    @Override
    public void revoked(String partitionId) {
      if (crashed) {
        return;
      }
      revocations.incrementAndGet();
      believedOwner.remove(partitionId, id);
    }
  }

  private Cohort newClient() throws InterruptedException {
    return newClient(Cohort.builder(fixture.backend()));
  }

  private Cohort newClient(Cohort.Builder builder) throws InterruptedException {
    Cohort client = builder
        .sessionTimeout(SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private Member join(String id) throws InterruptedException {
    Member member = new Member(id);
    member.client = newClient();
    member.claimer = PartitionClaimer.builder(member.client, ROOT, id, member).start();
    members.put(id, member);
    return member;
  }

  private void definePartitions(int count) throws InterruptedException {
    Cohort admin = newClient();
    for (int i = 0; i < count; i++) {
      String id = String.format("p%03d", i);
      PartitionClaimer.definePartition(admin, ROOT, id, id.getBytes(StandardCharsets.UTF_8));
    }
  }

  private List<Member> live() {
    return members.values().stream().filter(m -> !m.crashed).toList();
  }

  /** Every partition owned, each live member holding ⌊P/N⌋ or ⌈P/N⌉, and the listeners agreeing. */
  private void awaitBalanced(int partitions) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<Member> live = live();
      int n = live.size();
      int total = 0;
      for (Member m : live) {
        int owned = m.claimer.owned().size();
        assertTrue(owned == partitions / n || owned == (partitions + n - 1) / n, m.id + " owns " + owned);
        total += owned;
      }
      assertEquals(partitions, total);
      assertEquals(partitions, believedOwner.size());
    });
  }

  private Map<String, String> ownersNow() {
    Map<String, String> owners = new HashMap<>();
    for (Member m : live()) {
      m.claimer.owned().forEach(p -> owners.put(p, m.id));
    }
    return owners;
  }

  private int survivorRevocations(List<Member> survivors, Map<String, Integer> before) {
    return survivors.stream().mapToInt(m -> m.revocations.get() - before.getOrDefault(m.id, 0)).sum();
  }

  private Map<String, Integer> revocationCounts() {
    Map<String, Integer> counts = new HashMap<>();
    members.values().forEach(m -> counts.put(m.id, m.revocations.get()));
    return counts;
  }

  @Test
  void aSingleMemberClaimsEveryPartitionWithItsInstructions() throws Exception {
    definePartitions(5);
    Map<String, String> instructions = new ConcurrentHashMap<>();
    Cohort client = newClient();
    PartitionClaimer claimer = PartitionClaimer.builder(client, ROOT, "solo", new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        instructions.put(partition.id(), new String(partition.instructions(), StandardCharsets.UTF_8));
      }

      @Override
      public void revoked(String partitionId) {}
    }).start();
    try {
      await().until(() -> claimer.owned().size() == 5);
      assertEquals(Map.of("p000", "p000", "p001", "p001", "p002", "p002", "p003", "p003", "p004", "p004"), instructions);
      assertTrue(claimer.fencingToken("p000").isPresent());
    } finally {
      claimer.close();
    }
  }

  @Test
  void aSecondLiveMemberWithTheSameIdIsRejectedAndTheFirstKeepsItsPartitions() throws Exception {
    definePartitions(4);
    Member first = join("m1");
    awaitBalanced(4);
    Cohort other = newClient();

    assertThrows(DuplicateMemberException.class,
        () -> PartitionClaimer.builder(other, ROOT, "m1", first).start());

    assertEquals(4, first.claimer.owned().size());
    assertEquals(first.client.sessionId(),
        other.blocking().exists(ROOT + "/members/m1", null).ephemeralOwner(), "the member node is still the first's");
  }

  @Test
  void completingAPartitionRemovesItAndNobodyClaimsItAgain() throws Exception {
    definePartitions(4);
    Member a = join("a");
    join("b");
    awaitBalanced(4);
    String done = a.claimer.owned().iterator().next();

    assertTrue(a.claimer.complete(done));
    believedOwner.remove(done, "a"); // completing is the owner's own act: no revocation follows

    awaitBalanced(3);
    assertFalse(ownersNow().containsKey(done));
    assertTrue(a.client.blocking().getChildren(ROOT + "/partitions", null).names().stream().noneMatch(done::equals));
    assertThrows(IllegalStateException.class, () -> a.claimer.complete(done), "not held any more");
  }

  @Test
  void aCrashedMembersPartitionsAreClaimedByOthersOnceItsSessionExpires() throws Exception {
    assumeTrue(canCrash(), "needs DISCONNECT, and VIRTUAL_TIME or EXPIRE");
    definePartitions(10);
    join("a");
    Member b = join("b");
    awaitBalanced(10);
    Set<String> ofB = b.claimer.owned();

    crash(b);
    awaitBalanced(10);

    Map<String, String> owners = ownersNow();
    ofB.forEach(p -> assertEquals("a", owners.get(p)));
    assertTrue(violations.isEmpty(), violations.toString());
  }

  private boolean canCrash() {
    return fixture.supports(FaultControl.DISCONNECT)
        && (fixture.supports(FaultControl.VIRTUAL_TIME) || fixture.supports(FaultControl.EXPIRE));
  }

  /**
   * The member's process stops: cut off from the service, its session expires there (its ephemerals
   * go at once) and it never hears of it. With virtual time the session times out; on a real server
   * it is expired from the server side, which is what its timeout would do.
   */
  private void crash(Member member) {
    member.crashed = true;
    believedOwner.values().removeIf(member.id::equals); // a crashed member acts on nothing any more
    fixture.disconnect(member.client.session());
    if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
      fixture.advanceTime(SESSION_TIMEOUT.plusSeconds(30));
    } else {
      fixture.expire(member.client.session());
    }
  }

  /**
   * 100 partitions; members join, leave and crash. After each change: balance is restored, the
   * surviving members moved exactly the minimum number of partitions, and at no moment did two
   * members' listeners hold one partition.
   */
  @Test
  void joinsLeavesAndCrashesKeepOneOwnerPerPartitionRestoreBalanceAndMoveTheMinimum() throws Exception {
    assumeTrue(canCrash(), "needs DISCONNECT, and VIRTUAL_TIME or EXPIRE");
    int partitions = 100;
    definePartitions(partitions);
    join("a");
    join("b");
    join("c");
    awaitBalanced(partitions);

    // join: the newcomer takes exactly its share from the others
    Map<String, String> before = ownersNow();
    Map<String, Integer> revoked = revocationCounts();
    List<Member> survivors = live();
    join("d");
    awaitBalanced(partitions);
    int minimum = minimumMoves(before, List.of("a", "b", "c", "d"), partitions);
    assertEquals(25, minimum);
    assertEquals(minimum, survivorRevocations(survivors, revoked), "moves on join");

    // graceful leave: only the leaver's partitions move
    revoked = revocationCounts();
    Member leaver = members.get("b");
    assertTrue(leaver.claimer.close(Duration.ofSeconds(10)));
    members.remove("b");
    leaver.client.close();
    awaitBalanced(partitions);
    assertEquals(0, survivorRevocations(live(), revoked), "moves on leave");

    // crash: only the crashed member's partitions move, once its session expires
    revoked = revocationCounts();
    crash(members.get("c"));
    awaitBalanced(partitions);
    assertEquals(0, survivorRevocations(live(), revoked), "moves on crash");

    // two joins at once
    before = ownersNow();
    revoked = revocationCounts();
    survivors = live();
    join("e");
    join("f");
    awaitBalanced(partitions);
    minimum = minimumMoves(before, List.of("a", "d", "e", "f"), partitions);
    assertEquals(minimum, survivorRevocations(survivors, revoked), "moves on double join");

    assertTrue(violations.isEmpty(), violations.toString());
  }

  private static int minimumMoves(Map<String, String> before, List<String> membersAfter, int partitions) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      ids.add(String.format("p%03d", i));
    }
    return PartitionAssignment.moves(before, PartitionAssignment.assign(ids, membersAfter, before), membersAfter);
  }

  @Test
  void aMemberWhoseSessionIsLostIsToldAndClaimsAgainWithANewerToken() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    definePartitions(1);
    Member a = join("a");
    awaitBalanced(1);
    FencingToken first = a.claimer.fencingToken("p000").orElseThrow();

    fixture.expire(a.client.session());

    // the member re-joins on its next session and claims again, with a newer token
    await().atMost(Duration.ofSeconds(20)).until(() -> a.claimer.fencingToken("p000")
        .map(t -> t.isNewerThan(first)).orElse(false));
    assertTrue(a.revocations.get() >= 1, "the loss was reported");
    assertTrue(violations.isEmpty(), violations.toString());
  }

  /** A listener that only counts what it is told. */
  private static final class Counting implements PartitionListener {
    final Set<String> assigned = ConcurrentHashMap.newKeySet();

    @Override
    public void assigned(Partition partition) {
      assigned.add(partition.id());
    }

    @Override
    public void revoked(String partitionId) {
      assigned.remove(partitionId);
    }
  }

  @Test
  void startReturnsAndTheMemberClaimsWithADirectListenerExecutor() throws Exception {
    definePartitions(3);
    Cohort client = newClient(Cohort.builder(fixture.backend()).listenerExecutor(Runnable::run));
    Counting listener = new Counting();
    java.util.concurrent.CompletableFuture<PartitionClaimer> started = new java.util.concurrent.CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        started.complete(PartitionClaimer.builder(client, ROOT, "direct", listener).start());
      } catch (Throwable t) {
        started.completeExceptionally(t);
      }
    });
    starter.setDaemon(true); // on a regression it never ends
    starter.start();
    PartitionClaimer claimer = started.get(10, java.util.concurrent.TimeUnit.SECONDS);
    try {
      await().until(() -> claimer.owned().size() == 3 && listener.assigned.size() == 3);
    } finally {
      claimer.close();
    }
  }

  @Test
  void aBlockedListenerExecutorDoesNotStallTheClaimersWork() throws Exception {
    definePartitions(3);
    java.util.concurrent.ExecutorService single = java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.concurrent.CountDownLatch unblock = new java.util.concurrent.CountDownLatch(1);
    try {
      Cohort client = newClient(Cohort.builder(fixture.backend()).listenerExecutor(single));
      // An application listener that blocks: the one listener thread is taken.
      client.listenerExecutor().execute(() -> {
        try {
          unblock.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Counting listener = new Counting();
      PartitionClaimer claimer = PartitionClaimer.builder(client, ROOT, "blocked", listener).start();
      try {
        await().until(() -> claimer.owned().size() == 3 && listener.assigned.size() == 3);
      } finally {
        unblock.countDown();
        claimer.close();
      }
    } finally {
      unblock.countDown();
      single.shutdownNow();
    }
  }

  @Test
  void aClaimerOnAClientNotStartedOrClosedIsRefusedAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    clients.add(notStarted);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PartitionClaimer.builder(notStarted, ROOT, "m", new Counting()).start());
    assertTrue(e.getMessage().contains("start()"), e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> PartitionClaimer.definePartition(notStarted, ROOT, "p", new byte[0]));
    Cohort closed = newClient();
    closed.close();
    e = assertThrows(IllegalStateException.class,
        () -> PartitionClaimer.builder(closed, ROOT, "m", new Counting()).start());
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> PartitionClaimer.definePartition(closed, ROOT, "p", new byte[0]));
    assertFalse(newClient().blocking().exists(ROOT + "/members/m", null) != null, "nothing joined");
  }
}
