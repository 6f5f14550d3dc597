package dev.cohort.tck;

import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Ordering and consistency (checklist lines 1, 2, 4, 5, 6 and 24): linearizable writes ordered by
 * zxid, FIFO per session, a single system image, sync, durability of acknowledged writes, watch
 * events before the data that triggered them, and callbacks that never run under a backend lock.
 */
public abstract class OrderingConformance extends ConformanceSuite {

  @Test
  public void completionsArriveInTheOrderOperationsWereIssued() {
    Session s = open();
    create(s, "/q", "");
    int n = 200;
    List<Integer> completed = new CopyOnWriteArrayList<>();
    // where each callback ran, so that a failure says whether it ran on the issuing thread
    List<String> ranOn = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Integer> overtook = new CopyOnWriteArrayList<>();
    AtomicReferenceArray<CompletableFuture<Created>> futures = new AtomicReferenceArray<>(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      CompletableFuture<Created> f = i % 3 == 0
          ? s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)
          : s.getData("/q").thenApply(d -> null);
      futures.set(i, f);
      f.whenComplete((r, e) -> {
        if (e != null) {
          failures.add(e);
        }
        // every earlier operation's future is complete by the time this one's is
        for (int j = 0; j < index; j++) {
          if (!futures.get(j).isDone()) {
            overtook.add(index);
            break;
          }
        }
        completed.add(index);
        ranOn.add(index + "@" + Thread.currentThread().getName());
      });
    }
    // No get() or join() here while callbacks are pending: a thread that waits on a
    // CompletableFuture may run its pending dependents itself (the JDK's behaviour, not the
    // backend's), which would reorder them against the event thread's.
    waitFor().until(() -> completed.size() == n);
    assertEquals(List.of(), failures);
    assertEquals(List.of(), overtook, "futures that completed before an earlier one");
    for (int i = 0; i < n; i++) {
      int at = i;
      assertEquals(i, completed.get(i), () -> "completion order; callbacks around it: "
          + ranOn.subList(Math.max(0, at - 3), Math.min(ranOn.size(), at + 4)));
    }
  }

  @Test
  public void operationsTakeEffectInTheOrderTheyWereIssued() {
    Session s = open();
    create(s, "/counter", "");
    List<CompletableFuture<Stat>> writes = new ArrayList<>();
    for (int version = 0; version < 100; version++) {
      // each write expects the version the previous one produces: any reordering fails one
      writes.add(s.setData("/counter", bytes(String.valueOf(version + 1)), version));
    }
    for (int i = 0; i < writes.size(); i++) {
      assertEquals(i + 1, get(writes.get(i)).version());
    }
    assertEquals("100", read(s, "/counter"));
  }

  @Test
  public void writesCompletedOneAfterAnotherGetIncreasingZxids() {
    List<Session> sessions = List.of(open(), open(), open());
    create(sessions.get(0), "/a", "");
    long previous = 0;
    for (int i = 0; i < 30; i++) {
      Stat stat = get(sessions.get(i % 3).setData("/a", bytes(String.valueOf(i)), -1));
      assertTrue(stat.mzxid() > previous, "zxid " + stat.mzxid() + " after " + previous);
      previous = stat.mzxid();
    }
  }

  @Test
  public void concurrentWritesFromManySessionsGetDistinctZxids() {
    List<Session> sessions = List.of(open(), open(), open(), open());
    create(sessions.get(0), "/p", "");
    List<CompletableFuture<Created>> creates = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      creates.add(sessions.get(i % 4).create("/p/n" + i, bytes(""), CreateMode.PERSISTENT));
    }
    Set<Long> zxids = new HashSet<>();
    for (CompletableFuture<Created> f : creates) {
      assertTrue(zxids.add(get(f).stat().czxid()), "each write has its own zxid");
    }
  }

  @Test
  public void syncThenReadSeesEveryWriteCompletedBeforeTheSync() {
    Session writer = open();
    Session reader = open();
    create(writer, "/a", "v0");
    get(reader.getData("/a"));
    for (int i = 1; i <= 10; i++) {
      get(writer.setData("/a", bytes("v" + i), -1));
      get(reader.sync("/a"));
      assertEquals("v" + i, read(reader, "/a"));
    }
  }

  @Test
  public void syncNeedsNoNodeAtItsPath() {
    Session s = open();
    get(s.sync("/not-there"));
    get(s.sync("/"));
    assertNull(get(s.exists("/not-there")));
  }

  @Test
  public void aSessionNeverSeesAnOlderViewThanOneItHasSeen() {
    Session writer = open();
    Session reader = open();
    create(writer, "/a", "");
    get(reader.sync("/a"));
    List<CompletableFuture<Stat>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(writer.setData("/a", bytes(String.valueOf(i)), -1));
    }
    int highest = -1;
    long highestZxid = 0;
    while (!writes.get(writes.size() - 1).isDone() || highest < 0) {
      Stat stat = get(reader.exists("/a"));
      assertTrue(stat.version() >= highest, "version went back from " + highest + " to " + stat.version());
      assertTrue(stat.mzxid() >= highestZxid, "mzxid went back");
      highest = stat.version();
      highestZxid = stat.mzxid();
    }
    writes.forEach(ConformanceSuite::get);
  }

  @Test
  public void aSessionReadsItsOwnWrites() {
    Session s = open();
    create(s, "/a", "");
    for (int i = 0; i < 20; i++) {
      s.setData("/a", bytes("v" + i), -1);
      assertEquals("v" + i, read(s, "/a"), "a read issued after a write sees it");
    }
  }

  @Test
  public void acknowledgedWriteOutlivesItsWritersSession() {
    Session writer = open();
    Session reader = open();
    create(writer, "/kept", "durable");
    get(writer.setData("/kept", bytes("still durable"), -1));
    writer.close();
    get(reader.sync("/kept"));
    assertEquals("still durable", read(reader, "/kept"));
    if (fixture.supports(FaultControl.EXPIRE)) {
      Session another = open();
      create(another, "/kept2", "durable");
      fixture.expire(another);
      awaitState(another, SessionState.EXPIRED);
      get(reader.sync("/kept2"));
      assertEquals("durable", read(reader, "/kept2"));
    }
  }

  @Test
  public void watchEventArrivesBeforeTheDataThatTriggeredIt() {
    Session watcher = open();
    Session writer = open();
    create(writer, "/a", "v0");
    get(watcher.sync("/a"));
    for (int i = 1; i <= 20; i++) {
      RecordingWatcher w = new RecordingWatcher();
      get(watcher.getData("/a", w));
      get(writer.setData("/a", bytes("v" + i), -1));
      get(watcher.sync("/a"));
      NodeData read = get(watcher.getData("/a"));
      assertEquals("v" + i, text(read.data()));
      assertEquals(List.of(new WatchEvent(NODE_DATA_CHANGED, "/a")), w.events(),
          "the event came before the read that shows its change (round " + i + ")");
    }
  }

  @Test
  public void watchEventArrivesBeforeTheDataWhileAnotherThreadKeepsWriting() throws InterruptedException {
    Session watcher = open();
    Session writer = open();
    create(writer, "/v", "0");
    get(watcher.sync("/v"));
    ExecutorService writerThread = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes = writerThread.submit(() -> {
        for (int i = 1; i <= 300; i++) {
          get(writer.setData("/v", bytes(String.valueOf(i)), -1));
        }
      });
      // each read sets a fresh watch; once a read shows a newer version, the watch set by the
      // previous read must have fired already
      AtomicBoolean previousFired = null;
      int lastVersion = -1;
      while (lastVersion < 300) {
        AtomicBoolean fired = new AtomicBoolean();
        int version = get(watcher.getData("/v", event -> fired.set(true))).stat().version();
        if (previousFired != null && version > lastVersion) {
          assertTrue(previousFired.get(), "read version " + version + " before the event of the watch set at " + lastVersion);
        }
        lastVersion = Math.max(lastVersion, version);
        previousFired = fired;
        if (writes.isDone() && version < 300) {
          get(watcher.sync("/v"));
        }
      }
      get(writes);
    } finally {
      writerThread.shutdownNow();
      writerThread.awaitTermination(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  @Test
  public void ownWriteWatchEventArrivesBeforeTheWritesCompletion() {
    Session s = open();
    create(s, "/a", "");
    for (int i = 0; i < 20; i++) {
      RecordingWatcher w = new RecordingWatcher();
      get(s.exists("/a", w));
      AtomicReference<Integer> eventsAtCompletion = new AtomicReference<>();
      CompletableFuture<Stat> write = s.setData("/a", bytes("v" + i), -1);
      get(write.whenComplete((stat, e) -> eventsAtCompletion.compareAndSet(null, w.count())));
      assertEquals(1, w.count());
      assertEquals(1, eventsAtCompletion.get(), "the event was delivered before the completion (round " + i + ")");
    }
  }

  @Test
  public void watchEventsArriveInTheOrderOfTheUpdates() {
    Session s = open();
    Session writer = open();
    List<String> paths = List.of("/a", "/b", "/c", "/d", "/e");
    for (String path : paths) {
      create(writer, path, "");
    }
    List<String> order = new CopyOnWriteArrayList<>();
    get(s.sync("/"));
    for (String path : paths) {
      get(s.getData(path, event -> order.add(event.path())));
    }
    for (String path : List.of("/d", "/a", "/e", "/c", "/b")) {
      get(writer.setData(path, bytes("x"), -1));
    }
    waitFor().until(() -> order.size() == 5);
    assertEquals(List.of("/d", "/a", "/e", "/c", "/b"), order);
  }

  @Test
  public void completionCallbackMayIssueAnotherOperationWithoutDeadlock() {
    Session s = open();
    create(s, "/a", "");
    CompletableFuture<Stat> chained = new CompletableFuture<>();
    s.getData("/a").whenComplete((data, error) ->
        s.setData("/a", bytes("from callback"), -1).whenComplete((stat, e2) -> {
          if (e2 != null) {
            chained.completeExceptionally(e2);
          } else {
            chained.complete(stat);
          }
        }));
    assertEquals(1, get(chained).version());
    assertEquals("from callback", read(s, "/a"));
  }

  @Test
  public void watcherMayWaitForAnotherSessionsOperation() {
    Session s = open();
    Session other = open();
    create(s, "/a", "");
    AtomicReference<Object> outcome = new AtomicReference<>();
    get(s.getData("/a", event -> {
      // blocks this session's event thread briefly; fails if the backend called us under its lock
      try {
        outcome.set(other.create("/from-watcher", bytes(""), CreateMode.PERSISTENT)
            .get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
      } catch (Exception e) {
        outcome.set(e);
      }
    }));
    get(other.sync("/a"));
    get(other.setData("/a", bytes("x"), -1));
    waitFor().until(() -> outcome.get() != null);
    assertTrue(outcome.get() instanceof Created, () -> "the watcher's operation failed: " + outcome.get());
    get(s.sync("/from-watcher"));
    assertNotNull(get(s.exists("/from-watcher")));
  }

  @Test
  public void watcherMayRearmItselfFromInsideTheCallback() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "0");
    List<String> seen = new CopyOnWriteArrayList<>();
    dev.cohort.spi.Watcher[] self = new dev.cohort.spi.Watcher[1];
    self[0] = event -> s.getData("/a", self[0]).thenAccept(d -> seen.add(text(d.data())));
    get(s.sync("/a"));
    get(s.getData("/a", self[0]));
    for (int i = 1; i <= 3; i++) {
      get(writer.setData("/a", bytes(String.valueOf(i)), -1));
      int expected = i;
      waitFor().until(() -> seen.contains(String.valueOf(expected)));
    }
    assertEquals("3", seen.get(seen.size() - 1));
  }

  @Test
  public void stateListenerMayWaitForAnotherSessionsOperation() {
    Requirements.requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session other = open();
    AtomicReference<Object> outcome = new AtomicReference<>();
    s.addStateListener((session, state) -> {
      if (state == SessionState.SUSPENDED) {
        try {
          outcome.set(other.exists(Paths.ROOT).get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (Exception e) {
          outcome.set(e);
        }
      }
    });
    fixture.disconnect(s);
    waitFor().until(() -> outcome.get() != null);
    assertTrue(outcome.get() instanceof Stat, () -> "the listener's operation failed: " + outcome.get());
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
  }
}
