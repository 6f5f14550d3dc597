package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import dev.cohort.tck.ModelBasedConformance.Step;
import dev.cohort.tck.TreeModel.Refused;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Runs the steps of a {@link ModelBasedConformance} script against a backend and a {@link TreeModel}
 * side by side, one step at a time, under the subtree {@code /m}. Reads sync first, so the model's
 * linearizable answer is the one every backend must give.
 */
final class ModelHarness implements AutoCloseable {

  private static final String BASE = "/m";
  private static final List<String> FIXED_PATHS =
      List.of("/m", "/m/a", "/m/b", "/m/a/c", "/m/a/d", "/m/b/c", "/m/x/y");
  private static final List<String> SEQUENTIAL_PREFIXES = List.of("/m/s-", "/m/a/s-", "/m/b/c/", "/m/");
  private static final CreateMode[] MODES = {
    CreateMode.PERSISTENT, CreateMode.EPHEMERAL, CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL
  };

  /** One of the script's sessions; replaced by a fresh one when closed or expired. */
  private static final class Actor {
    Session session;
    boolean disconnected;
    /** The one watcher every watch of this session uses, so one change fires it at most once. */
    RecordingWatcher watcher = new RecordingWatcher();
    WatchModel watches = new WatchModel();
    /** How many of the watcher's events have been checked. */
    int eventsChecked;

    Actor(Session session) {
      this.session = session;
    }

    void replace(Session fresh) {
      session = fresh;
      disconnected = false;
      watcher = new RecordingWatcher();
      watches = new WatchModel();
      eventsChecked = 0;
    }
  }

  private final BackendFixture fixture;
  private final Session driver;
  private final Actor[] actors = new Actor[3];
  private final List<Long> endedSessions = new ArrayList<>();
  private TreeModel model;
  private long lastZxid;

  ModelHarness(BackendFixture fixture) {
    this.fixture = fixture;
    this.model = new TreeModel();
    this.driver = fixture.openSession();
    for (int i = 0; i < actors.length; i++) {
      actors[i] = new Actor(fixture.openSession());
    }
    Created base = value(driver.create(BASE, new byte[0], CreateMode.PERSISTENT), "creating " + BASE);
    model.create(BASE, new byte[0], CreateMode.PERSISTENT, 0);
    compareStat(BASE, base.stat(), "creating " + BASE);
    lastZxid = base.stat().czxid();
  }

  void apply(Step step, String context) {
    Actor actor = actors[step.session()];
    switch (step.kind()) {
      case CREATE -> create(actor, step, context);
      case DELETE -> delete(actor, step, context);
      case SET_DATA -> setData(actor, step, context);
      case GET_DATA -> getData(actor, pick(step.a()), null, context);
      case EXISTS -> exists(actor, pick(step.a()), null, context);
      case GET_CHILDREN -> getChildren(actor, pick(step.a()), null, context);
      case WATCH -> watch(actor, step, context);
      case MULTI -> multi(actor, step, context);
      case READ_MULTI -> readMulti(actor, step, context);
      case CLOSE -> end(actor, false, context);
      case EXPIRE -> end(actor, fixture.supports(FaultControl.EXPIRE), context);
      case DISCONNECT -> disconnect(actor);
      case RECONNECT -> reconnect(actor);
    }
    List<TreeModel.Change> changes = model.drainChanges();
    for (Actor a : actors) {
      changes.forEach(a.watches::fire);
    }
    checkWatchEvents(context);
  }

  /** Lets every connected session settle, then compares the events its watcher got with the model's. */
  private void checkWatchEvents(String context) {
    for (int i = 0; i < actors.length; i++) {
      Actor actor = actors[i];
      if (actor.disconnected) {
        continue;
      }
      value(actor.session.sync(Paths.ROOT), context + ": sync");
      value(actor.session.exists(BASE), context + ": settle");
      List<WatchEvent> all = actor.watcher.events();
      List<String> actual = sortedStrings(all.subList(actor.eventsChecked, all.size()));
      List<String> expected = sortedStrings(actor.watches.drainExpected());
      assertEquals(expected, actual, context + ": watch events of session s" + i);
      actor.eventsChecked = all.size();
    }
  }

  private static List<String> sortedStrings(List<WatchEvent> events) {
    return events.stream().map(e -> e.type() + " " + e.path()).sorted().toList();
  }

  // ------------------------------------------------------------------ writes

  private void create(Actor actor, Step step, String context) {
    CreateMode mode = MODES[step.b() % MODES.length];
    String path = mode.isSequential()
        ? SEQUENTIAL_PREFIXES.get(step.a() % SEQUENTIAL_PREFIXES.size())
        : FIXED_PATHS.get(step.a() % FIXED_PATHS.size());
    byte[] data = data(step.c());
    CompletableFuture<Created> future = actor.session.create(path, data, mode);
    if (lostConnection(actor, future, context)) {
      return;
    }
    String expected;
    try {
      expected = model.create(path, data, mode, actor.session.id());
    } catch (Refused refused) {
      expectRefusal(refused.code, future, context);
      return;
    }
    Created created = value(future, context);
    assertEquals(expected, created.path(), context + ": created path");
    advanceZxid(created.stat().czxid(), context);
    compareStat(expected, created.stat(), context);
    TreeModel.Node parent = model.get(Paths.parent(expected));
    if (parent != null) {
      parent.pzxid = created.stat().czxid();
    }
  }

  private void delete(Actor actor, Step step, String context) {
    String path = pick(step.a());
    int version = version(model, path, step.b());
    CompletableFuture<Void> future = actor.session.delete(path, version);
    if (lostConnection(actor, future, context)) {
      return;
    }
    try {
      model.delete(path, version);
    } catch (Refused refused) {
      expectRefusal(refused.code, future, context);
      return;
    }
    value(future, context);
  }

  private void setData(Actor actor, Step step, String context) {
    String path = pick(step.a());
    int version = version(model, path, step.b());
    byte[] data = data(step.c());
    CompletableFuture<Stat> future = actor.session.setData(path, data, version);
    if (lostConnection(actor, future, context)) {
      return;
    }
    try {
      model.setData(path, data, version);
    } catch (Refused refused) {
      expectRefusal(refused.code, future, context);
      return;
    }
    Stat stat = value(future, context);
    advanceZxid(stat.mzxid(), context);
    compareStat(path, stat, context);
  }

  private void multi(Actor actor, Step step, String context) {
    Random random = new Random(step.a() * 1_000_003L + step.b() * 1_009L + step.c());
    TreeModel working = model.copy();
    List<Op> ops = new ArrayList<>();
    List<String> createdPaths = new ArrayList<>();
    int failedAt = -1;
    ErrorCode failure = null;
    for (int i = 0, count = 1 + random.nextInt(3); i < count; i++) {
      Op op = randomWrite(working, random);
      ops.add(op);
      if (failure == null) {
        try {
          createdPaths.add(applyTo(working, op, actor.session.id()));
        } catch (Refused refused) {
          failure = refused.code;
          failedAt = i;
        }
      }
    }
    CompletableFuture<List<OpResult>> future = actor.session.multi(ops);
    String where = context + " " + ops;
    if (lostConnection(actor, future, where)) {
      return;
    }
    if (failure != null) {
      CoordinationException e = expectRefusal(failure, future, where);
      assertEquals(failedAt, e.opIndex(), where + ": index of the failing op");
      return;
    }
    checkMultiResults(ops, createdPaths, value(future, where), where);
    model = working;
  }

  private void checkMultiResults(List<Op> ops, List<String> createdPaths, List<OpResult> results, String context) {
    assertEquals(ops.size(), results.size(), context + ": one result per op");
    long multiZxid = -1;
    for (int i = 0; i < ops.size(); i++) {
      OpResult result = results.get(i);
      Op op = ops.get(i);
      if (op instanceof Op.Create) {
        assertEquals(new OpResult.CreateResult(createdPaths.get(i)), result, context + ": result of op " + i);
      } else if (op instanceof Op.Delete) {
        assertInstanceOf(OpResult.DeleteResult.class, result, context);
      } else if (op instanceof Op.Check) {
        assertInstanceOf(OpResult.CheckResult.class, result, context);
      } else {
        long zxid = assertInstanceOf(OpResult.SetDataResult.class, result, context).stat().mzxid();
        assertTrue(multiZxid == -1 || multiZxid == zxid, context + ": one multi, one zxid");
        multiZxid = zxid;
      }
    }
    if (multiZxid != -1) {
      advanceZxid(multiZxid, context);
    }
  }

  private Op randomWrite(TreeModel working, Random random) {
    String path = pick(random.nextInt(1000));
    int version = version(working, path, random.nextInt(3));
    return switch (random.nextInt(4)) {
      case 0 -> {
        CreateMode mode = MODES[random.nextInt(MODES.length)];
        String target = mode.isSequential()
            ? SEQUENTIAL_PREFIXES.get(random.nextInt(SEQUENTIAL_PREFIXES.size()))
            : FIXED_PATHS.get(random.nextInt(FIXED_PATHS.size()));
        yield Op.create(target, data(random.nextInt(1000)), mode);
      }
      case 1 -> Op.delete(path, version);
      case 2 -> Op.setData(path, data(random.nextInt(1000)), version);
      default -> Op.check(path, version);
    };
  }

  /** Applies {@code op} to the model; returns the path a create makes, else null. */
  private static String applyTo(TreeModel working, Op op, long sessionId) {
    if (op instanceof Op.Create c) {
      return working.create(c.path(), c.data(), c.mode(), sessionId);
    } else if (op instanceof Op.Delete d) {
      working.delete(d.path(), d.version());
    } else if (op instanceof Op.SetData s) {
      working.setData(s.path(), s.data(), s.version());
    } else if (op instanceof Op.Check c) {
      working.check(c.path(), c.version());
    } else {
      throw new AssertionError("not a write: " + op);
    }
    return null;
  }

  // ------------------------------------------------------------------ reads

  private void watch(Actor actor, Step step, String context) {
    String path = pick(step.a());
    switch (step.b() % 3) {
      case 0 -> getData(actor, path, actor.watcher, context + " (getData watch)");
      case 1 -> exists(actor, path, actor.watcher, context + " (exists watch)");
      default -> getChildren(actor, path, actor.watcher, context + " (child watch)");
    }
  }

  private void getData(Actor actor, String path, Watcher watcher, String context) {
    syncFirst(actor, path, context);
    CompletableFuture<NodeData> future = actor.session.getData(path, watcher);
    if (lostConnection(actor, future, context)) {
      return;
    }
    if (model.get(path) == null) {
      expectRefusal(ErrorCode.NO_NODE, future, context);
      return;
    }
    NodeData data = value(future, context);
    assertArrayEquals(model.get(path).data, data.data(), context + ": data of " + path);
    compareStat(path, data.stat(), context);
    if (watcher != null) {
      actor.watches.register(WatchModel.Kind.DATA, path);
    }
  }

  private void exists(Actor actor, String path, Watcher watcher, String context) {
    syncFirst(actor, path, context);
    CompletableFuture<Stat> future = actor.session.exists(path, watcher);
    if (lostConnection(actor, future, context)) {
      return;
    }
    Stat stat = value(future, context);
    if (model.get(path) == null) {
      assertNull(stat, context + ": " + path + " should not exist");
    } else {
      assertTrue(stat != null, context + ": " + path + " should exist");
      compareStat(path, stat, context);
    }
    if (watcher != null) {
      actor.watches.register(stat == null ? WatchModel.Kind.EXIST : WatchModel.Kind.DATA, path);
    }
  }

  private void getChildren(Actor actor, String path, Watcher watcher, String context) {
    syncFirst(actor, path, context);
    CompletableFuture<Children> future = actor.session.getChildren(path, watcher);
    if (lostConnection(actor, future, context)) {
      return;
    }
    if (model.get(path) == null) {
      expectRefusal(ErrorCode.NO_NODE, future, context);
      return;
    }
    Children children = value(future, context);
    assertEquals(new HashSet<>(model.childNames(path)), new HashSet<>(children.names()), context + ": children of " + path);
    compareStat(path, children.stat(), context);
    if (watcher != null) {
      actor.watches.register(WatchModel.Kind.CHILD, path);
    }
  }

  private void readMulti(Actor actor, Step step, String context) {
    List<String> existing = new ArrayList<>(model.nodes().keySet());
    if (existing.isEmpty() || actor.disconnected) {
      return;
    }
    String first = existing.get(step.a() % existing.size());
    String second = existing.get(step.b() % existing.size());
    syncFirst(actor, first, context);
    List<OpResult> results = value(actor.session.multi(List.of(Op.getData(first), Op.getChildren(second))), context);
    var data = assertInstanceOf(OpResult.GetDataResult.class, results.get(0), context);
    assertArrayEquals(model.get(first).data, data.data(), context + ": data of " + first);
    compareStat(first, data.stat(), context);
    var children = assertInstanceOf(OpResult.GetChildrenResult.class, results.get(1), context);
    assertEquals(new HashSet<>(model.childNames(second)), new HashSet<>(children.children()), context);
  }

  // ------------------------------------------------------------------ session events

  private void end(Actor actor, boolean expire, String context) {
    Session old = actor.session;
    if (expire) {
      fixture.expire(old);
      if (actor.disconnected) {
        fixture.reconnect(old);
      }
      ConformanceSuite.waitFor().until(() -> old.state() == SessionState.EXPIRED);
      expectRefusal(ErrorCode.SESSION_EXPIRED, old.exists(BASE), context + ": op after expiry");
    } else {
      reconnect(actor);
      old.close();
      expectRefusal(ErrorCode.SESSION_CLOSED, old.exists(BASE), context + ": op after close");
    }
    endedSessions.add(old.id());
    actor.replace(fixture.openSession());
    model.removeEphemeralsOf(old.id());
  }

  private void disconnect(Actor actor) {
    if (!fixture.supports(FaultControl.DISCONNECT) || actor.disconnected) {
      return;
    }
    fixture.disconnect(actor.session);
    ConformanceSuite.waitFor().until(() -> actor.session.state() == SessionState.SUSPENDED);
    actor.disconnected = true;
    actor.watches.disconnect(model.seq());
  }

  private void reconnect(Actor actor) {
    if (!actor.disconnected) {
      return;
    }
    fixture.reconnect(actor.session);
    ConformanceSuite.waitFor().until(() -> actor.session.state() == SessionState.RECONNECTED);
    actor.disconnected = false;
    actor.watches.reconnect(model);
  }

  // ------------------------------------------------------------------ whole-tree checks

  void compareSubtree(String context) {
    value(driver.sync(Paths.ROOT), context);
    SortedSet<String> seen = new TreeSet<>();
    if (model.get(BASE) == null) {
      assertNull(value(driver.exists(BASE), context), context + ": " + BASE + " should be gone");
      return;
    }
    ConformanceSuite.walk(driver, BASE, (path, data, children) -> {
      seen.add(path);
      TreeModel.Node node = model.get(path);
      assertTrue(node != null, context + ": unexpected node " + path);
      assertArrayEquals(node.data, data.data(), context + ": data of " + path);
      compareStat(path, data.stat(), context);
    });
    assertEquals(model.nodes().keySet(), seen, context + ": the nodes under " + BASE);
  }

  void closeEverySessionAndCheckNoEphemeralRemains() {
    for (Actor actor : actors) {
      reconnect(actor);
      actor.session.close();
      endedSessions.add(actor.session.id());
      model.removeEphemeralsOf(actor.session.id());
    }
    compareSubtree("after every session closed");
    value(driver.sync(Paths.ROOT), "sync");
    ConformanceSuite.walk(driver, BASE, (path, data, children) ->
        assertTrue(!endedSessions.contains(data.stat().ephemeralOwner()), path + " outlived its session"));
  }

  @Override
  public void close() {
    for (Actor actor : actors) {
      if (actor != null && !actor.disconnected) {
        actor.session.close();
      }
    }
    driver.close();
  }

  // ------------------------------------------------------------------ helpers

  private List<String> candidates() {
    SortedSet<String> all = new TreeSet<>(FIXED_PATHS);
    all.addAll(model.nodes().keySet());
    return new ArrayList<>(all);
  }

  private String pick(int choice) {
    List<String> all = candidates();
    return all.get(choice % all.size());
  }

  private static int version(TreeModel m, String path, int choice) {
    TreeModel.Node node = m.get(path);
    int current = node == null ? 0 : node.version;
    return switch (choice % 3) {
      case 0 -> -1;
      case 1 -> current;
      default -> current + 1;
    };
  }

  private static byte[] data(int choice) {
    return choice % 5 == 0 ? new byte[0] : ("d" + choice).getBytes(StandardCharsets.UTF_8);
  }

  private void syncFirst(Actor actor, String path, String context) {
    if (!actor.disconnected) {
      value(actor.session.sync(path), context + ": sync");
    }
  }

  private boolean lostConnection(Actor actor, Future<?> future, String context) {
    if (actor.disconnected) {
      expectRefusal(ErrorCode.CONNECTION_LOSS, future, context + " while disconnected");
      return true;
    }
    return false;
  }

  private void advanceZxid(long zxid, String context) {
    assertTrue(zxid > lastZxid, context + ": zxid " + zxid + " must follow " + lastZxid);
    lastZxid = zxid;
  }

  /** Compares a stat with the model, learning zxids the model does not know yet. */
  private void compareStat(String path, Stat stat, String context) {
    TreeModel.Node node = model.get(path);
    String where = context + ": stat of " + path + " " + stat;
    assertEquals(node.version, stat.version(), where + " version");
    assertEquals(node.cversion, stat.cversion(), where + " cversion");
    assertEquals(node.owner, stat.ephemeralOwner(), where + " ephemeralOwner");
    assertEquals(node.data.length, stat.dataLength(), where + " dataLength");
    assertEquals(model.childNames(path).size(), stat.numChildren(), where + " numChildren");
    node.czxid = learnOrCompare(node.czxid, stat.czxid(), where + " czxid");
    node.mzxid = learnOrCompare(node.mzxid, stat.mzxid(), where + " mzxid");
    node.pzxid = learnOrCompare(node.pzxid, stat.pzxid(), where + " pzxid");
  }

  private static long learnOrCompare(long known, long actual, String where) {
    if (known != -1) {
      assertEquals(known, actual, where);
    }
    return actual;
  }

  private static <T> T value(Future<T> future, String context) {
    try {
      return ConformanceSuite.get(future);
    } catch (AssertionError e) {
      throw new AssertionError(context + ": " + e.getMessage(), e.getCause() == null ? e : e.getCause());
    }
  }

  private static CoordinationException expectRefusal(ErrorCode code, Future<?> future, String context) {
    CoordinationException e;
    try {
      e = ConformanceSuite.failure(future);
    } catch (AssertionError error) {
      throw new AssertionError(context + ": expected " + code + " but " + error.getMessage(), error);
    }
    assertEquals(code, e.code(), context + ": " + e);
    return e;
  }
}
