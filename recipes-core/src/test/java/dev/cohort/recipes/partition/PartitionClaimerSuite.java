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
import dev.cohort.spi.TimeSource;
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
import java.util.function.UnaryOperator;
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
  /** Earlier incarnations of restarted members, closed at the end. */
  private final List<Member> retired = new CopyOnWriteArrayList<>();
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
    retired.forEach(m -> m.client.close());
    retired.forEach(m -> m.claimer.close());
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
    final AtomicInteger assignments = new AtomicInteger();
    final Requests requests = new Requests();
    /** Reconnects of the member's client: after one, it reads everything again, by design. */
    final AtomicInteger reconnects = new AtomicInteger();
    /** The token each partition was last assigned with, to this member. */
    final Map<String, FencingToken> tokens = new ConcurrentHashMap<>();
    volatile boolean crashed;

    Member(String id) {
      this.id = id;
    }

    @Override
    public void assigned(Partition partition) {
      if (crashed) {
        return;
      }
      assignments.incrementAndGet();
      tokens.put(partition.id(), partition.fencingToken());
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
    return join(id, b -> b);
  }

  private Member join(String id, UnaryOperator<PartitionClaimer.Builder> options) throws InterruptedException {
    Member member = new Member(id);
    Cohort.Builder builder = Cohort.builder(fixture.backend()).events(member.requests);
    member.client = newClient(onVirtualClock && virtualClock() != null ? builder.timeSource(virtualClock()) : builder);
    member.client.addConnectionStateListener((c, state) -> {
      if (state == dev.cohort.recipes.ConnectionState.RECONNECTED) {
        member.reconnects.incrementAndGet();
      }
    });
    member.claimer = options.apply(PartitionClaimer.builder(member.client, ROOT, id, member)).start();
    members.put(id, member);
    return member;
  }

  /** Set by the tests of grace periods: their members' clients run on {@link #virtualClock()}. */
  private boolean onVirtualClock;

  /**
   * The virtual clock of the fixture, which its clients may run on so that a grace period passes
   * when the test says; null where time is real (the grace periods are then short and waited out).
   */
  protected TimeSource virtualClock() {
    return null;
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
    useVirtualClock();
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

  // ---- static membership, weights and maxima -----------------------------------------------

  /** Long enough that a test never outlives it. */
  private static final Duration LONG_GRACE = Duration.ofMinutes(10);
  /** Short enough to wait out in real time. */
  private static final Duration SHORT_GRACE = Duration.ofSeconds(2);

  /** Called first by the tests of static members: every member measures the grace periods of others. */
  private void useVirtualClock() {
    onVirtualClock = true;
  }

  private UnaryOperator<PartitionClaimer.Builder> asStatic(Duration grace) {
    return b -> b.staticMembership(grace);
  }

  /** Restarts {@code old}'s process: a new client and a new claimer with the same id. */
  private Member restart(Member old, UnaryOperator<PartitionClaimer.Builder> options) throws InterruptedException {
    return joinAgain(old, options);
  }

  /** A second member object with {@code old}'s id, on a client of its own; {@code old} is kept for teardown. */
  private Member joinAgain(Member old, UnaryOperator<PartitionClaimer.Builder> options) throws InterruptedException {
    members.remove(old.id);
    retired.add(old);
    return join(old.id, options);
  }

  /** Whether {@code path} exists, read on a client of the test's own (on real time). */
  private boolean exists(String path) throws InterruptedException {
    if (observer == null) {
      observer = newClient();
    }
    return observer.blocking().exists(path, null) != null;
  }

  private Cohort observer;

  /** Lets a grace period pass: moves the virtual clock on, or waits for real time, until {@code done}. */
  private void passTimeUntil(java.util.concurrent.Callable<Boolean> done) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      if (virtualClock() != null) {
        fixture.advanceTime(Duration.ofSeconds(30));
      }
      return done.call();
    });
  }

  /**
   * Makes every live member run one more round, and waits for it: a new partition appears, and one
   * of them claims it. With 12 partitions over a, b and a static s, the 13th goes to a.
   */
  private void aRoundLater(String partition, String expectedOwner) throws InterruptedException {
    PartitionClaimer.definePartition(newClient(), ROOT, partition, new byte[0]);
    await().atMost(Duration.ofSeconds(20)).until(() -> members.get(expectedOwner).claimer.owned().contains(partition));
  }

  private String ownerNodeData(String partition) throws InterruptedException {
    try {
      return new String(newClient().blocking().getData(ROOT + "/owners/" + partition, null).data(), StandardCharsets.UTF_8);
    } catch (dev.cohort.spi.NoNodeException e) {
      return null;
    }
  }

  @Test
  void aStaticMemberRestartingWithinItsGracePeriodGetsItsPartitionsBackAndNobodyElseMoves() throws Exception {
    useVirtualClock();
    definePartitions(12);
    Member a = join("a");
    Member b = join("b");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(12);
    Set<String> ofS = s.claimer.owned();
    Map<String, FencingToken> oldTokens = Map.copyOf(s.tokens);
    int assignedA = a.assignments.get();
    int assignedB = b.assignments.get();
    int revokedBefore = a.revocations.get() + b.revocations.get();

    assertTrue(s.claimer.closeForRestart(Duration.ofSeconds(10)));
    assertEquals(Set.of(), s.claimer.owned(), "the closed incarnation holds nothing");
    assertEquals(ofS.size(), s.revocations.get(), "its listener was told to stop");
    s.client.close();
    await().until(() -> !exists(ROOT + "/members/s"));
    aRoundLater("p900", "a");
    for (String p : ofS) {
      assertEquals("s", ownerNodeData(p), p + " is kept for s during its grace period");
    }

    Member s2 = restart(s, asStatic(LONG_GRACE));
    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    for (String p : ofS) {
      assertTrue(s2.tokens.get(p).isNewerThan(oldTokens.get(p)), p + ": the new incarnation's token is newer");
    }
    assertEquals(revokedBefore, a.revocations.get() + b.revocations.get(), "no other member gave anything up");
    assertEquals(assignedA + 1, a.assignments.get(), "a only took the new partition");
    assertEquals(assignedB, b.assignments.get());
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void aCrashedStaticMembersPartitionsWaitForItAndComeBackWhenItRestarts() throws Exception {
    useVirtualClock();
    assumeTrue(canCrash(), "needs DISCONNECT, and VIRTUAL_TIME or EXPIRE");
    definePartitions(12);
    Member a = join("a");
    Member b = join("b");
    // the member that crashes runs on real time: on the virtual clock its own client would notice
    // the lost session at the next jump and re-join, which a crashed process does not
    onVirtualClock = false;
    Member s = join("s", asStatic(LONG_GRACE));
    onVirtualClock = true;
    awaitBalanced(12);
    Set<String> ofS = s.claimer.owned();
    int revokedBefore = a.revocations.get() + b.revocations.get();

    crash(s);
    await().until(() -> !exists(ROOT + "/members/s"));
    aRoundLater("p900", "a");
    for (String p : ofS) {
      assertEquals("s", ownerNodeData(p), p + " is kept for s during its grace period");
    }

    Member s2 = restart(s, asStatic(LONG_GRACE));
    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    assertEquals(revokedBefore, a.revocations.get() + b.revocations.get(), "no other member gave anything up");
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void afterTheGracePeriodTheOthersTakeAStaticMembersPartitions() throws Exception {
    useVirtualClock();
    definePartitions(12);
    join("a");
    join("b");
    Member s = join("s", asStatic(SHORT_GRACE));
    awaitBalanced(12);

    assertTrue(s.claimer.closeForRestart(Duration.ofSeconds(10)));
    s.crashed = true; // gone for good: out of the balance checks
    passTimeUntil(() -> !exists(ROOT + "/static/s"));
    awaitBalanced(12);

    // back after its grace: an ordinary join, and the minimum moves
    members.remove("s");
    Map<String, String> before = ownersNow();
    Map<String, Integer> revoked = revocationCounts();
    List<Member> survivors = live();
    join("s", asStatic(SHORT_GRACE));
    awaitBalanced(12);
    assertEquals(minimumMoves(before, List.of("a", "b", "s"), 12), survivorRevocations(survivors, revoked));
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void aStaticMemberThatLeavesReleasesAtOnce() throws Exception {
    useVirtualClock();
    definePartitions(12);
    join("a");
    join("b");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(12);

    assertTrue(s.claimer.close(Duration.ofSeconds(10)));
    members.remove("s");
    awaitBalanced(12); // no clock moves: a leave has no grace period
    assertFalse(exists(ROOT + "/static/s"), "the reservation went with the leave");
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void aRestartWhileTheOldSessionLivesSupersedesItAndFencesItsClaims() throws Exception {
    useVirtualClock();
    definePartitions(6);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(6);
    Set<String> ofS = s.claimer.owned();
    int revokedBefore = a.revocations.get();
    Map<String, FencingToken> oldTokens = Map.copyOf(s.tokens);
    s.crashed = true; // the old incarnation's listener is not checked any more
    believedOwner.values().removeIf("s"::equals);
    PartitionClaimer old = s.claimer;

    Member s2 = joinAgain(s, asStatic(LONG_GRACE)); // same id, a new client and session
    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    await().atMost(Duration.ofSeconds(20)).until(old::isSuperseded);
    assertEquals(Set.of(), old.owned());
    for (String p : ofS) {
      dev.cohort.recipes.FencedResource store = new dev.cohort.recipes.FencedResource(); // p's store
      assertTrue(store.tryAccept(s2.tokens.get(p)));
      assertFalse(store.tryAccept(oldTokens.get(p)), p + ": the old incarnation's token is stale");
    }
    assertEquals(revokedBefore, a.revocations.get());
    assertThrows(IllegalStateException.class, () -> old.complete(ofS.iterator().next()));
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void anIncarnationReplacedWhileCutOffDoesNotTakeTheIdBackOnItsNextSession() throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT) && fixture.supports(FaultControl.EXPIRE),
        "needs DISCONNECT and EXPIRE");
    definePartitions(6);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(6);
    Set<String> ofS = s.claimer.owned();
    s.crashed = true; // the old incarnation's listener is not checked any more
    believedOwner.values().removeIf("s"::equals);
    PartitionClaimer old = s.claimer;
    Cohort oldClient = s.client;

    fixture.disconnect(oldClient.session()); // it cannot see the newer incarnation join
    Member s2 = joinAgain(s, asStatic(LONG_GRACE));
    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    fixture.expire(oldClient.session());
    fixture.reconnect(oldClient.session()); // it learns of the expiry and gets a new session

    await().atMost(Duration.ofSeconds(20)).until(old::isSuperseded);
    assertEquals(Set.of(), old.owned());
    assertFalse(s2.claimer.isSuperseded());
    assertEquals(s2.client.sessionId(), s2.client.blocking().exists(ROOT + "/members/s", null).ephemeralOwner(),
        "the member node is still the newer incarnation's");
    assertEquals(ofS, s2.claimer.owned());
  }

  @Test
  void aStaticMemberWhoseSessionExpiresClaimsTheSamePartitionsAgainWithNewerTokens() throws Exception {
    useVirtualClock();
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    definePartitions(8);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(8);
    Set<String> ofS = s.claimer.owned();
    int revokedBefore = a.revocations.get();
    Map<String, FencingToken> oldTokens = Map.copyOf(s.tokens);

    fixture.expire(s.client.session());

    await().atMost(Duration.ofSeconds(20)).until(() -> s.claimer.owned().equals(ofS)
        && ofS.stream().allMatch(p -> s.tokens.get(p).isNewerThan(oldTokens.get(p))));
    assertEquals(revokedBefore, a.revocations.get(), "a gave nothing up");
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void aStaticRejoinWhoseReplyIsLostStillGetsItsPartitionsBack() throws Exception {
    useVirtualClock();
    assumeTrue(fixture.supports(FaultControl.LOSE_REPLY) && canCrash(), "needs LOSE_REPLY and a crash");
    definePartitions(6);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(6);
    Set<String> ofS = s.claimer.owned();
    int revokedBefore = a.revocations.get();

    fixture.expire(s.client.session()); // the same process gets a new session and re-joins
    // the re-join is the next operation of the new session; its reply is lost
    await().until(() -> s.client.sessionId() != 0 && s.client.connectionState().isConnected());
    fixture.loseNextReply(s.client.session());

    await().atMost(Duration.ofSeconds(20)).until(() -> s.claimer.owned().equals(ofS));
    assertEquals(revokedBefore, a.revocations.get());
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void aRestartWhoseJoinReplyIsLostFindsItsOwnJoinAndGetsItsPartitionsBack() throws Exception {
    useVirtualClock();
    requireLoseReply();
    definePartitions(6);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(6);
    Set<String> ofS = s.claimer.owned();
    Map<String, FencingToken> oldTokens = Map.copyOf(s.tokens);
    int revokedBefore = a.revocations.get();
    assertTrue(s.claimer.closeForRestart(Duration.ofSeconds(10)));

    // the restarted process's first request is its join transaction; the service applies it and
    // the reply is lost, so the client's retry meets the member node it has just created
    members.remove("s");
    retired.add(s);
    Member s2 = new Member("s");
    s2.client = newClient(Cohort.builder(fixture.backend()).events(s2.requests).timeSource(clockOrSystem()));
    fixture.loseNextReply(s2.client.session());
    s2.claimer = PartitionClaimer.builder(s2.client, ROOT, "s", s2).staticMembership(LONG_GRACE).start();
    members.put("s", s2);

    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    ofS.forEach(p -> assertTrue(s2.tokens.get(p).isNewerThan(oldTokens.get(p))));
    assertFalse(s2.claimer.isSuperseded(), "its own node is not a newer incarnation");
    if (virtualClock() != null) {
      // the join (retried below the count) and one re-claim each: it did not replace its own node
      assertEquals(1 + ofS.size(), s2.requests.writes.get());
    }
    assertEquals(revokedBefore, a.revocations.get());
    assertTrue(violations.isEmpty(), violations.toString());
  }

  private void requireLoseReply() {
    assumeTrue(fixture.supports(FaultControl.LOSE_REPLY), "needs LOSE_REPLY");
  }

  private TimeSource clockOrSystem() {
    return virtualClock() != null ? virtualClock() : TimeSource.system();
  }

  @Test
  void aDisconnectShorterThanTheSessionKeepsAStaticMembersPartitions() throws Exception {
    useVirtualClock();
    assumeTrue(fixture.supports(FaultControl.DISCONNECT), "needs DISCONNECT");
    definePartitions(6);
    Member a = join("a");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(6);
    Set<String> ofS = s.claimer.owned();
    int revokedBefore = a.revocations.get();

    fixture.disconnect(s.client.session());
    fixture.reconnect(s.client.session());

    awaitBalanced(6);
    assertEquals(ofS, s.claimer.owned());
    assertEquals(revokedBefore, a.revocations.get());
  }

  @Test
  void aStaticIdTakenByAnOrdinaryLiveMemberIsRefused() throws Exception {
    definePartitions(2);
    Member first = join("m1");
    Cohort other = newClient();
    assertThrows(DuplicateMemberException.class,
        () -> PartitionClaimer.builder(other, ROOT, "m1", first).staticMembership(LONG_GRACE).start());
    assertFalse(exists(ROOT + "/static/m1"), "nothing reserved");
    assertEquals(first.client.sessionId(),
        other.blocking().exists(ROOT + "/members/m1", null).ephemeralOwner(), "the member node is still the first's");
  }

  @Test
  void anOrdinaryMemberCannotTakeAStaticMembersId() throws Exception {
    useVirtualClock();
    definePartitions(2);
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(2);
    assertTrue(s.claimer.closeForRestart(Duration.ofSeconds(10)));
    Cohort other = newClient();
    assertThrows(DuplicateMemberException.class,
        () -> PartitionClaimer.builder(other, ROOT, "s", new Counting()).start());
    assertFalse(exists(ROOT + "/members/s"));
  }

  @Test
  void aMemberWithWeightTwoHoldsTwiceAsMany() throws Exception {
    definePartitions(9);
    Member a = join("a", o -> o.weight(2));
    Member b = join("b");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.claimer.owned().size() == 6 && b.claimer.owned().size() == 3);
    assertEquals(9, believedOwner.size());
  }

  @Test
  void aMemberNeverHoldsMoreThanItsMaximumAndWhatNobodyMayTakeIsReported() throws Exception {
    definePartitions(9);
    Member a = join("a", o -> o.maxPartitions(2));
    await().atMost(Duration.ofSeconds(20)).until(() -> a.claimer.owned().size() == 2
        && a.claimer.unassigned().size() == 7);
    Member b = join("b", o -> o.maxPartitions(3));
    await().atMost(Duration.ofSeconds(20)).until(() -> a.claimer.owned().size() == 2
        && b.claimer.owned().size() == 3 && b.claimer.unassigned().size() == 4);
    Member c = join("c");
    await().atMost(Duration.ofSeconds(20)).until(() -> c.claimer.owned().size() == 4 && c.claimer.unassigned().isEmpty());
    assertEquals(2, a.claimer.owned().size());
    assertEquals(3, b.claimer.owned().size());
  }

  @Test
  void badOptionsAreRefusedAtOnce() {
    Cohort client = assertDoesNotThrowClient();
    PartitionClaimer.Builder builder = PartitionClaimer.builder(client, ROOT, "x", new Counting());
    assertThrows(IllegalArgumentException.class, () -> builder.weight(0));
    assertThrows(IllegalArgumentException.class, () -> builder.maxPartitions(-1));
    assertThrows(IllegalArgumentException.class, () -> builder.staticMembership(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.staticMembership(Duration.ofSeconds(-1)));
  }

  private Cohort assertDoesNotThrowClient() {
    try {
      return newClient();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void closeForRestartIsRefusedForAnOrdinaryMember() throws Exception {
    definePartitions(1);
    Member a = join("a");
    assertThrows(IllegalStateException.class, () -> a.claimer.closeForRestart(Duration.ofSeconds(1)));
  }

  /** Counts the requests a member's client sends, reads and writes apart. */
  private static final class Requests implements dev.cohort.recipes.CohortEvents {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger dataReads = new AtomicInteger();
    final AtomicInteger listings = new AtomicInteger();
    /** Every request, watches included. */
    final AtomicInteger all = new AtomicInteger();
    /** Run once, just before the next transaction is sent. */
    final java.util.concurrent.atomic.AtomicReference<Runnable> beforeNextMulti = new java.util.concurrent.atomic.AtomicReference<>();

    @Override
    public Object operationStarted(String operation) {
      all.incrementAndGet();
      if (operation.equals("multi")) {
        Runnable hook = beforeNextMulti.getAndSet(null);
        if (hook != null) {
          hook.run();
        }
      }
      if (operation.equals("getData")) {
        dataReads.incrementAndGet();
      }
      if (operation.equals("getChildren")) {
        listings.incrementAndGet();
      }
      if (operation.equals("addWatch") || operation.equals("removeWatches")) {
        return null; // neither: a watch is registered on the session, nothing is written
      }
      boolean read = operation.equals("exists") || operation.equals("getData") || operation.equals("getChildren");
      (read ? reads : writes).incrementAndGet();
      return null;
    }
  }

  /**
   * Issue #16: a rebalance costs what moves. Three members balance 60 partitions, then a fourth
   * joins and takes 15. Each of the three reads, over the whole test, each owner node about once
   * (75 claims in all: the 60 first claims and the 15 moves) and the member nodes, never every
   * owner node on every round as before (109 reads in the rebalance alone); a member's reads may
   * lag (one settled at its target reads the others' claims at its next round), so the bound is
   * on the total. The writes are one per moved partition: a release by its old owner, a claim by
   * its new one.
   */
  @Test
  void aRebalanceReadsAndWritesOnlyWhatMoved() throws Exception {
    int partitions = 60;
    definePartitions(partitions);
    List<Member> stayers = List.of(join("a"), join("b"), join("c"));
    awaitBalanced(partitions);
    Map<String, Integer> writes = new HashMap<>();
    Map<String, Integer> revocations = revocationCounts();
    stayers.forEach(m -> writes.put(m.id, m.requests.writes.get()));

    Member d = join("d");
    awaitBalanced(partitions);

    int moved = survivorRevocations(stayers, revocations);
    assertEquals(15, moved, "the minimum moves");
    int claims = partitions + moved;
    for (Member m : stayers) {
      int read = m.requests.dataReads.get();
      // Up to three reads per claim: a second where an owner node's deletion event came after the
      // listing that showed its successor (events lag reads on some backends), a third where a
      // one-shot watch is re-armed by a read while the member is busy (seen on a loaded machine:
      // 159 reads for 75 claims). Before the rework every round read every owner node: 422. A
      // reconnect makes a member read everything again, by design.
      if (m.reconnects.get() == 0) {
        assertTrue(read <= 3 * claims, m.id + " read " + read + " nodes for " + claims + " claims");
      }
      assertEquals(m.revocations.get() - revocations.get(m.id), m.requests.writes.get() - writes.get(m.id),
          m.id + ": one write per partition released");
    }
    assertEquals(1 + d.assignments.get(), d.requests.writes.get(), "the join, then one write per claim");
  }

  /**
   * Issue #16: a member that neither gives nor takes partitions in a rebalance runs one round for
   * it (the member list changed), not one per partition the others hand over. Here x is at its
   * maximum of 2 throughout while c joins and a and b hand it 6 partitions (12 owner changes).
   */
  @Test
  void aMemberTheRebalanceDoesNotConcernRunsOneRoundForIt() throws Exception {
    int partitions = 20;
    definePartitions(partitions);
    Member a = join("a");
    Member b = join("b");
    Member x = join("x", o -> o.maxPartitions(2));
    await().atMost(Duration.ofSeconds(20)).until(() -> x.claimer.owned().size() == 2
        && a.claimer.owned().size() == 9 && b.claimer.owned().size() == 9);
    int listingsBefore = x.requests.listings.get();
    int movesBefore = x.revocations.get() + x.assignments.get();

    Member c = join("c");
    await().atMost(Duration.ofSeconds(20)).until(() -> c.claimer.owned().size() == 6
        && a.claimer.owned().size() == 6 && b.claimer.owned().size() == 6);

    assertEquals(movesBefore, x.revocations.get() + x.assignments.get(), "x moved nothing");
    // Each round lists the five lists (members, partitions, reservations, owners, count markers).
    // At most one round may be x's last for the first balance.
    int rounds = (x.requests.listings.get() - listingsBefore) / 5;
    assertTrue(rounds <= 2, "x ran " + rounds + " rounds for a rebalance that does not concern it");
  }

  /**
   * What a rolling restart within the grace period costs: the others write nothing at all (their
   * rounds only read), and the restarted member joins and claims each partition again. The counts
   * are printed for the record; the assertions are on the writes.
   */
  @Test
  void aRestartWithinTheGracePeriodCostsTheOthersNoWrites() throws Exception {
    useVirtualClock();
    int partitions = 12;
    definePartitions(partitions);
    Member a = join("a");
    Member b = join("b");
    Member s = join("s", asStatic(LONG_GRACE));
    awaitBalanced(partitions);
    Set<String> ofS = s.claimer.owned();
    int readsBefore = a.requests.reads.get() + b.requests.reads.get();
    int writesBefore = a.requests.writes.get() + b.requests.writes.get();

    assertTrue(s.claimer.closeForRestart(Duration.ofSeconds(10)));
    Member s2 = restart(s, asStatic(LONG_GRACE));
    await().atMost(Duration.ofSeconds(20)).until(() -> s2.claimer.owned().equals(ofS));
    awaitBalanced(partitions);

    int othersWrites = a.requests.writes.get() + b.requests.writes.get() - writesBefore;
    System.out.printf("static restart, %d partitions (%d of them the restarted member's): restarted member"
        + " %d reads + %d writes from start to all re-claimed; the 2 others %d reads + %d writes%n",
        partitions, ofS.size(), s2.requests.reads.get(), s2.requests.writes.get(),
        a.requests.reads.get() + b.requests.reads.get() - readsBefore, othersWrites);
    assertEquals(0, othersWrites, "the others only read");
    // one join transaction, then one transaction per partition claimed again (exact where
    // nothing else runs: in memory)
    if (virtualClock() != null) {
      assertEquals(1 + ofS.size(), s2.requests.writes.get());
    }

    // and when it does not come back: one member ends the grace period, the others claim its share
    // (with the long grace period, on the virtual clock only)
    if (virtualClock() == null) {
      return;
    }
    int readsThen = a.requests.reads.get() + b.requests.reads.get();
    int writesThen = a.requests.writes.get() + b.requests.writes.get();
    assertTrue(s2.claimer.closeForRestart(Duration.ofSeconds(10)));
    s2.crashed = true;
    passTimeUntil(() -> !exists(ROOT + "/static/s"));
    awaitBalanced(partitions);
    int writes = a.requests.writes.get() + b.requests.writes.get() - writesThen;
    System.out.printf("grace period ended: the 2 others %d reads + %d writes to end it and claim %d partitions%n",
        a.requests.reads.get() + b.requests.reads.get() - readsThen, writes, ofS.size());
    assertTrue(writes >= 1 + ofS.size(), "one transaction ends the grace period, one per claim");
  }

  /**
   * Issue #16: what a join and a leave cost grows with the partitions that move, not with the
   * number of partitions. {@code n} members balance {@code partitions}, one more joins and takes
   * its share, then leaves. All members together may send up to 4 requests per moved partition
   * (its release, its claim: one read and one transaction, and a round that follows) plus 30 per
   * member (about three rounds of a few listings each). Before the count markers every member read
   * the owner node of each partition that moved, and the joiner every owner node: at 480
   * partitions over 6 the join cost 1,000 requests or more.
   */
  private void joinAndLeaveCostWhatMoves(int partitions, int n) throws Exception {
    definePartitions(partitions);
    List<Member> stayers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      stayers.add(join("m" + i));
    }
    awaitBalanced(partitions);
    awaitQuiet();
    Map<String, Integer> revoked = revocationCounts();
    int before = allRequests();

    Member joiner = join("joiner");
    awaitBalanced(partitions);
    awaitQuiet();
    int joinRequests = allRequests() - before;
    int joinMoved = survivorRevocations(stayers, revoked);
    assertEquals(minimumMovesOnJoin(partitions, n), joinMoved, "the minimum moves");

    before = allRequests();
    int leaveMoved = joiner.claimer.owned().size();
    assertTrue(joiner.claimer.close(Duration.ofSeconds(10)));
    members.remove("joiner");
    retired.add(joiner);
    awaitBalanced(partitions);
    awaitQuiet();
    int leaveRequests = allRequests() - before;
    System.out.printf("P=%d over %d: join %d requests for %d moved, leave %d requests for %d moved%n",
        partitions, n, joinRequests, joinMoved, leaveRequests, leaveMoved);
    if (members.values().stream().allMatch(m -> m.reconnects.get() == 0)) { // a reconnect reads again
      int perMember = 30 * (n + 1);
      assertTrue(joinRequests <= 4 * joinMoved + perMember,
          "join: " + joinRequests + " requests for " + joinMoved + " moved partitions over " + (n + 1) + " members");
      assertTrue(leaveRequests <= 4 * leaveMoved + perMember,
          "leave: " + leaveRequests + " requests for " + leaveMoved + " moved partitions over " + (n + 1) + " members");
    }
    assertTrue(violations.isEmpty(), violations.toString());
  }

  /** The partitions a join moves when {@code partitions} are balanced over {@code n}: what the newcomer gets. */
  private static int minimumMovesOnJoin(int partitions, int n) {
    return partitions / (n + 1);
  }

  private int allRequests() {
    return members.values().stream().mapToInt(m -> m.requests.all.get()).sum()
        + retired.stream().mapToInt(m -> m.requests.all.get()).sum();
  }

  /** Waits until no member has sent a request for 300 ms (the rounds that follow a move are done). */
  private void awaitQuiet() {
    int[] last = {-1};
    await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(300))
        .until(() -> {
          int now = allRequests();
          boolean quiet = now == last[0];
          last[0] = now;
          return quiet;
        });
  }

  @Test
  void aJoinAndALeaveOf120PartitionsCostWhatMoves() throws Exception {
    joinAndLeaveCostWhatMoves(120, 6);
  }

  @Test
  void aJoinAndALeaveOf480PartitionsCostWhatMoves() throws Exception {
    joinAndLeaveCostWhatMoves(480, 6);
  }

  /**
   * An ordinary member's claim whose reply is lost: the service applied it (owner node and count
   * marker), the client's retry is refused, and the member does not know it holds the partition.
   * Its marker then carries one more than it holds, so its next round reads the owner nodes
   * instead of planning from counts, takes the claim up and puts the marker right: the partition
   * is worked, not left owned and idle.
   */
  @Test
  void aClaimWhoseReplyIsLostIsTakenUpAndItsCountMarkerPutRight() throws Exception {
    requireLoseReply();
    definePartitions(4);
    Member a = join("a");
    Member b = join("b");
    awaitBalanced(4);

    // a leaves; b's next transaction is its first claim of a's partitions, and its reply is lost
    b.requests.beforeNextMulti.set(() -> fixture.loseNextReply(b.client.session()));
    assertTrue(a.claimer.close(Duration.ofSeconds(10)));
    members.remove("a");
    retired.add(a);

    awaitBalanced(4);
    assertEquals(null, b.requests.beforeNextMulti.get(), "the lost reply happened");
    await().atMost(Duration.ofSeconds(20)).until(
        () -> b.client.blocking().getChildren(ROOT + "/counts", null).names().equals(List.of("b.4")));
    assertTrue(violations.isEmpty(), violations.toString());
  }
}
