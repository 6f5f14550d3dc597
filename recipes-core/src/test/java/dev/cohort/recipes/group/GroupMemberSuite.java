package dev.cohort.recipes.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GroupMember's guarantees, on any backend: subclasses supply the fixture. */
public abstract class GroupMemberSuite {
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  private static final String GROUP = "/groups/workers";

  protected abstract BackendFixture newFixture();

  /**
   * The clock of the clients that measure grace periods: the fixture's virtual clock where it has
   * one (then the test moves it), null for the system clock (then the test uses a short grace).
   */
  protected dev.cohort.spi.TimeSource clientClock() {
    return null;
  }

  protected BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<GroupMember> members = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    fixture = newFixture();
  }

  @AfterEach
  void tearDown() {
    members.forEach(GroupMember::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    return newClient(null);
  }

  private Cohort newClient(dev.cohort.recipes.CohortEvents events) throws InterruptedException {
    return newClient(events, null);
  }

  /** A client on {@code clock} (if not null) whose session does not end when that clock moves. */
  private Cohort newClient(dev.cohort.recipes.CohortEvents events, dev.cohort.spi.TimeSource clock)
      throws InterruptedException {
    Cohort.Builder builder = Cohort.builder(fixture.backend());
    if (clock != null) {
      builder.timeSource(clock);
    }
    if (events != null) {
      builder.events(events);
    }
    Cohort client = builder
        .sessionTimeout(SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private GroupMember join(Cohort client, String id, String payload, GroupListener listener) throws InterruptedException {
    GroupMember member = GroupMember.join(client, GROUP, id, bytes(payload), listener);
    members.add(member);
    return member;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Member m) {
    return new String(m.payload(), StandardCharsets.UTF_8);
  }

  /** Records events as "joined a=payload" strings. */
  private static final class Recorder implements GroupListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void joined(Member member) {
      events.add("joined " + member.id() + "=" + text(member));
    }

    @Override
    public void left(Member member) {
      events.add("left " + member.id());
    }

    @Override
    public void updated(Member member) {
      events.add("updated " + member.id() + "=" + text(member));
    }

    @Override
    public void away(Member member) {
      events.add("away " + member.id());
    }
  }

  @Test
  void membersSeeJoinsUpdatesAndLeavesInOrder() throws Exception {
    Recorder recorder = new Recorder();
    GroupMember a = join(newClient(), "a", "a1", recorder);
    await().until(() -> recorder.events.size() == 1);

    GroupMember b = join(newClient(), "b", "b1", null);
    await().until(() -> recorder.events.size() == 2);
    b.update(bytes("b2"));
    await().until(() -> recorder.events.size() == 3);
    b.close();
    await().until(() -> recorder.events.size() == 4);

    assertEquals(List.of("joined a=a1", "joined b=b1", "updated b=b2", "left b"), recorder.events);
    assertEquals(Set.of("a"), a.members().keySet());
  }

  /** Counts the requests of the clients it is bound to, by operation. */
  private static final class RequestCounter implements dev.cohort.recipes.CohortEvents {
    final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> counts =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Object operationStarted(String operation) {
      counts.computeIfAbsent(operation, o -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
      return null;
    }

    int reads() {
      return count("getData");
    }

    int count(String operation) {
      var c = counts.get(operation);
      return c == null ? 0 : c.get();
    }
  }

  /**
   * Issue #16: a member follows a change by reading only the member that changed. With 40 other
   * members in the group, one join, one update and one leave each cost an observing member at most
   * one read of that member and one listing (a leave one more read, of the member's static
   * reservation, issue #17); reading the whole group again would be 41 reads each.
   */
  @Test
  void aChangeCostsEachMemberOneReadOfTheChangedMemberWhateverTheGroupSize() throws Exception {
    Cohort passive = newClient();
    for (int i = 0; i < 40; i++) {
      passive.blocking().createWithParents(GROUP + "/passive" + i, bytes("p"), dev.cohort.spi.CreateMode.EPHEMERAL);
    }
    RequestCounter counter = new RequestCounter();
    Recorder recorder = new Recorder();
    GroupMember observer = join(newClient(counter), "observer", "o", recorder);
    await().until(() -> recorder.events.size() == 41);
    int reads = counter.reads();
    int listings = counter.count("getChildren");

    GroupMember joiner = join(newClient(), "joiner", "j1", null);
    await().until(() -> recorder.events.contains("joined joiner=j1"));
    assertTrue(counter.reads() - reads <= 1, "reads for one join: " + (counter.reads() - reads));
    joiner.update(bytes("j2"));
    await().until(() -> recorder.events.contains("updated joiner=j2"));
    assertTrue(counter.reads() - reads <= 2, "reads for a join and an update: " + (counter.reads() - reads));
    joiner.close();
    await().until(() -> recorder.events.contains("left joiner"));
    assertTrue(counter.reads() - reads <= 4, "reads for a join, an update and a leave: " + (counter.reads() - reads));
    assertTrue(counter.count("getChildren") - listings <= 3, "listings: " + (counter.count("getChildren") - listings));
    assertEquals(41, observer.members().size(), "the observer ends on the group: 40 and itself");
  }

  @Test
  void aSecondLiveMemberWithTheSameIdIsRefusedAndTheFirstIsUntouched() throws Exception {
    Cohort firstClient = newClient();
    GroupMember first = join(firstClient, "a", "first", null);
    Cohort other = newClient();

    assertThrows(DuplicateMemberException.class, () -> join(other, "a", "second", null));

    var node = other.blocking().getData(GROUP + "/a", null);
    assertEquals("first", new String(node.data(), StandardCharsets.UTF_8));
    assertEquals(firstClient.sessionId(), node.stat().ephemeralOwner());
    assertTrue(first.isJoined());
  }

  @Test
  void aBadMemberIdIsRejectedAndNothingIsCreated() throws Exception {
    Cohort client = newClient();

    assertThrows(IllegalArgumentException.class, () -> GroupMember.join(client, GROUP, "a/b", bytes("x"), null));
    assertThrows(IllegalArgumentException.class, () -> GroupMember.join(client, GROUP, "", bytes("x"), null));

    assertNull(client.blocking().exists(GROUP, null), "not even the group node was created");
  }

  @Test
  void aMemberRejoinsByItselfAfterItsSessionIsLostWithItsLatestPayload() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Recorder recorder = new Recorder();
    Cohort observer = newClient();
    GroupMember watcher = join(observer, "observer", "o", recorder);
    Cohort client = newClient();
    GroupMember a = join(client, "a", "a1", null);
    a.update(bytes("a2"));
    long firstSession = client.sessionId();

    fixture.expire(client.session());

    await().until(() -> a.isJoined() && client.sessionId() != firstSession);
    await().until(() -> watcher.members().containsKey("a")
        && watcher.members().get("a").incarnation() != 0
        && observer.blocking().exists(GROUP + "/a", null).ephemeralOwner() == client.sessionId());
    assertEquals("a2", text(watcher.members().get("a")));
  }

  @Test
  void aCrashedMemberLeavesTheViewWhenItsSessionExpires() throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT) && fixture.supports(FaultControl.VIRTUAL_TIME),
        "needs DISCONNECT and VIRTUAL_TIME");
    Recorder recorder = new Recorder();
    GroupMember observer = join(newClient(), "observer", "o", recorder);
    Cohort crashing = newClient();
    join(crashing, "a", "a1", null);
    await().until(() -> observer.members().containsKey("a"));

    fixture.disconnect(crashing.session());
    fixture.advanceTime(SESSION_TIMEOUT.plusSeconds(30));

    await().until(() -> !observer.members().containsKey("a"));
    await().until(() -> recorder.events.contains("left a"));
  }

  @Test
  void updatingAfterLeavingIsRefused() throws Exception {
    Cohort client = newClient();
    GroupMember a = join(client, "a", "a1", null);
    a.close();

    assertThrows(IllegalStateException.class, () -> a.update(bytes("a2")));

    await().until(() -> client.blocking().exists(GROUP + "/a", null) == null);
    assertFalse(a.isJoined());
  }

  @Test
  void aSecondJoinWithTheSameIdOnTheSameClientIsRefusedAndChangesNothing() throws Exception {
    Cohort client = newClient();
    GroupMember first = join(client, "a", "first", null);
    var before = client.blocking().getData(GROUP + "/a", null);

    DuplicateMemberException e = assertThrows(DuplicateMemberException.class, () -> join(client, "a", "second", null));
    assertTrue(e.getMessage().contains("close that one first"), e.getMessage());

    var after = client.blocking().getData(GROUP + "/a", null);
    assertEquals("first", new String(after.data(), StandardCharsets.UTF_8), "the first member's payload stands");
    assertEquals(before.stat(), after.stat(), "the node is untouched");
    assertTrue(first.isJoined());
    first.update(bytes("still mine"));
    first.close();
    await().until(() -> client.blocking().exists(GROUP + "/a", null) == null);
    GroupMember again = join(client, "a", "again", null); // the id is free once the first is closed
    assertTrue(again.isJoined());
  }

  @Test
  void joiningOnAClientNotStartedOrClosedIsRefusedAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    clients.add(notStarted);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> join(notStarted, "a", "x", null));
    assertTrue(e.getMessage().contains("start()"), e.getMessage());
    Cohort closed = newClient();
    closed.close();
    e = assertThrows(IllegalStateException.class, () -> join(closed, "a", "x", null));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertNull(newClient().blocking().exists(GROUP + "/a", null), "nothing joined");
  }

  // ---- static members -------------------------------------------------------------------------

  private GroupMember joinStatic(Cohort client, String id, String payload, GroupListener listener)
      throws InterruptedException {
    GroupMember member = GroupMember.joinStatic(client, GROUP, id, bytes(payload), listener);
    members.add(member);
    return member;
  }

  @Test
  void aStaticMemberRestartingWhileItsOldSessionLivesReplacesTheOldIncarnation() throws Exception {
    Cohort oldProcess = newClient();
    GroupMember old = joinStatic(oldProcess, "s", "v1", null);
    Cohort watcher = newClient();
    GroupMember other = join(watcher, "w", "", null);
    await().until(() -> other.members().containsKey("s"));
    long oldIncarnation = other.members().get("s").incarnation();

    GroupMember fresh = joinStatic(newClient(), "s", "v2", null);

    assertTrue(fresh.isJoined());
    await().until(() -> other.members().containsKey("s") && other.members().get("s").incarnation() != oldIncarnation);
    assertEquals("v2", text(other.members().get("s")));
    await().until(old::isSuperseded);
    assertFalse(old.isJoined(), "the old incarnation knows it is out");
    assertThrows(IllegalStateException.class, () -> old.update(bytes("late")));
    old.close(); // must not remove the new incarnation's node
    assertTrue(exists(watcher, GROUP + "/s"));
    assertEquals("v2", text(other.members().get("s")));
  }

  /**
   * Issue #17: a static member restarting while its old session lives causes no churn: the others
   * are told of one update (a new incarnation with its new payload), never of a leave and a join.
   */
  @Test
  void aStaticRestartIsReportedToTheOthersAsOneUpdateNotALeaveAndAJoin() throws Exception {
    Recorder recorder = new Recorder();
    joinStatic(newClient(), "s", "v1", null);
    GroupMember other = join(newClient(), "w", "", recorder);
    await().until(() -> recorder.events.contains("joined s=v1"));

    joinStatic(newClient(), "s", "v2", null);

    await().until(() -> recorder.events.contains("updated s=v2"));
    assertEquals(List.of("joined s=v1", "joined w=", "updated s=v2"), recorder.events);
    assertEquals("v2", text(other.members().get("s")));
  }

  @Test
  void anOldIncarnationWhoseSessionIsLostDoesNotTakeTheIdBack() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort oldProcess = newClient();
    GroupMember old = joinStatic(oldProcess, "s", "v1", null);
    Cohort freshProcess = newClient();
    GroupMember fresh = joinStatic(freshProcess, "s", "v2", null);

    fixture.expire(oldProcess.session()); // the old one's next session must not replace the new one
    await().until(() -> oldProcess.connectionState().isConnected() && oldProcess.session().id() != 0);
    await().until(old::isSuperseded);
    assertTrue(fresh.isJoined());
    assertEquals(freshProcess.sessionId(),
        freshProcess.blocking().exists(GROUP + "/s", null).ephemeralOwner());
  }

  @Test
  void aStaticJoinStillRefusesASecondMemberWithTheIdOnTheSameClient() throws Exception {
    Cohort client = newClient();
    joinStatic(client, "s", "v1", null);
    assertThrows(DuplicateMemberException.class, () -> GroupMember.joinStatic(client, GROUP, "s", bytes("v2"), null));
  }

  // ---- static members with a grace period (issue #17) -------------------------------------------

  private static final String RESERVATIONS = GROUP + ".reservations";

  private GroupMember joinStatic(Cohort client, String id, String payload, GroupListener listener, Duration grace)
      throws InterruptedException {
    GroupMember member = GroupMember.joinStatic(client, GROUP, id, bytes(payload), listener, grace);
    members.add(member);
    return member;
  }

  /**
   * The member's process dies: its session expires where the fixture can expire a cut-off session
   * (else the client's close ends it), and its client never comes back; the member never leaves.
   */
  private void crash(Cohort client) {
    if (fixture.supports(FaultControl.DISCONNECT) && fixture.supports(FaultControl.EXPIRE)) {
      fixture.disconnect(client.session());
      fixture.expire(client.session());
    }
    client.close(); // the process is gone: no new session, no re-join
  }

  /**
   * Regression for issue #17: a static member that crashes (its node goes with its session) and
   * restarts with the same id within its grace period is never reported left and joined: the others
   * see it away, then one update. Before the grace period existed they saw "left s", "joined s=v2".
   */
  @Test
  void aStaticMemberThatCrashesAndRestartsWithinItsGraceIsNeverReportedLeft() throws Exception {
    Duration grace = Duration.ofMinutes(10);
    Recorder recorder = new Recorder();
    Cohort crashing = newClient();
    joinStatic(crashing, "s", "v1", null, grace);
    GroupMember other = join(newClient(), "w", "", recorder);
    await().until(() -> recorder.events.contains("joined s=v1"));

    crash(crashing);
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events.size() == 3);
    assertEquals("away s", recorder.events.get(2), "a crashed static member is away, not left");
    assertEquals("v1", text(other.members().get("s")), "an away member keeps its place as last seen");

    Cohort restartedClient = newClient();
    GroupMember restarted = joinStatic(restartedClient, "s", "v2", null, grace);

    await().until(() -> recorder.events.size() == 4);
    assertEquals(List.of("joined s=v1", "joined w=", "away s", "updated s=v2"), recorder.events);
    assertTrue(restarted.isJoined());
    assertEquals("v2", text(other.members().get("s")));
    assertTrue(exists(restartedClient, RESERVATIONS + "/s"), "the restarted member holds its reservation");
  }

  @Test
  void aStaticMemberThatDoesNotComeBackIsReportedLeftOnceItsGraceHasPassed() throws Exception {
    boolean virtual = clientClock() != null && fixture.supports(FaultControl.VIRTUAL_TIME);
    Duration grace = virtual ? Duration.ofMinutes(10) : Duration.ofSeconds(2);
    Recorder recorder = new Recorder();
    Cohort crashing = newClient();
    joinStatic(crashing, "s", "v1", null, grace);
    Cohort watching = newClient(null, clientClock()); // measures the grace period
    GroupMember other = join(watching, "w", "", recorder);
    await().until(() -> recorder.events.contains("joined s=v1"));

    crash(crashing);
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events.contains("away s"));
    if (virtual) {
      // On real time a loaded machine may let the 2 s pass before this line: there the order of
      // the events (away, then left) is what says the member was kept through its grace period.
      assertTrue(other.members().containsKey("s"), "away within the grace period");
      fixture.advanceTime(grace.minusSeconds(1));
      assertFalse(recorder.events.contains("left s"), "not before the grace period has passed");
      assertTrue(other.members().containsKey("s"));
      fixture.advanceTime(Duration.ofSeconds(2));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events.contains("left s"));
    assertEquals(List.of("joined s=v1", "joined w=", "away s", "left s"), recorder.events);
    assertFalse(other.members().containsKey("s"));
    await().until(() -> !exists(watching, RESERVATIONS + "/s"));
  }

  @Test
  void aCleanLeaveOfAStaticMemberIsReportedAtOnceAndRemovesItsReservation() throws Exception {
    Recorder recorder = new Recorder();
    Cohort client = newClient();
    GroupMember s = joinStatic(client, "s", "v1", null, Duration.ofMinutes(10));
    assertTrue(exists(client, RESERVATIONS + "/s"), "a static member with a grace period has a reservation");
    join(newClient(), "w", "", recorder);
    await().until(() -> recorder.events.contains("joined s=v1"));

    s.close();

    await().until(() -> recorder.events.contains("left s"));
    assertEquals(List.of("joined s=v1", "joined w=", "left s"), recorder.events);
    await().until(() -> !exists(client, RESERVATIONS + "/s") && !exists(client, GROUP + "/s"));
  }

  @Test
  void aStaticMemberWhoseSessionExpiresRejoinsByItselfWithoutBeingReportedLeft() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Recorder recorder = new Recorder();
    Cohort client = newClient();
    GroupMember s = joinStatic(client, "s", "v1", null, Duration.ofMinutes(10));
    GroupMember other = join(newClient(), "w", "", recorder);
    await().until(() -> recorder.events.contains("joined s=v1"));
    long incarnation = other.members().get("s").incarnation();
    long firstSession = client.sessionId();

    fixture.expire(client.session());

    await().until(() -> s.isJoined() && client.sessionId() != firstSession);
    await().until(() -> recorder.events.stream().anyMatch(e -> e.startsWith("updated s")));
    assertNotEquals(incarnation, other.members().get("s").incarnation());
    assertFalse(recorder.events.contains("left s"), recorder.events.toString());
    assertEquals(1, recorder.events.stream().filter(e -> e.startsWith("joined s")).count(), recorder.events.toString());
  }

  @Test
  void aNegativeGraceIsRefusedAndNothingIsWritten() throws Exception {
    Cohort client = newClient();

    assertThrows(IllegalArgumentException.class,
        () -> GroupMember.joinStatic(client, GROUP, "s", bytes("v1"), null, Duration.ofSeconds(-1)));

    assertFalse(exists(client, GROUP + "/s"));
    assertFalse(exists(client, RESERVATIONS));
    GroupMember again = joinStatic(client, "s", "v1", null, Duration.ofSeconds(5)); // the id stayed free
    assertTrue(again.isJoined());
  }

  private static boolean exists(Cohort client, String path) throws InterruptedException {
    return client.blocking().exists(path, null) != null;
  }
}
