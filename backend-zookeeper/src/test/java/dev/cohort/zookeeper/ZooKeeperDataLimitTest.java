package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.failure;
import static dev.cohort.zookeeper.Futures.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data limit against a real ZooKeeper 3.9.3 server with default settings: the boundary the
 * server really keeps, measured by binary search with the plain ZooKeeper client, and the adapter
 * refusing, before sending, exactly what lies beyond it.
 *
 * <p>Figures of 2026-12-06 (default {@code jute.maxbuffer} of 1,048,575): setData of a node named
 * {@code /b} succeeds up to 1,048,553 bytes; that node reads back up to 1,048,487 bytes; a create
 * with a 201-character path up to 1,048,327 bytes; a multi of two setData up to 1,048,512 bytes in
 * all. {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES} is 1,000,000.
 */
class ZooKeeperDataLimitTest {

  private static final String LONG_PATH = "/" + "x".repeat(200);
  /** Room the shared default must leave below the server's boundary for paths and multi headers. */
  private static final int MARGIN = 32 * 1024;

  private static EmbeddedZooKeeper server;
  /** The boundaries, measured once for the class: each probe beyond one costs a connection. */
  private static int setData;
  private static int readBack;
  private static int longPathCreate;
  private static int multi;

  @BeforeAll
  static void startServer() throws Exception {
    // The point is the default: a test JVM that raised jute.maxbuffer would measure something else.
    assertNull(System.getProperty("jute.maxbuffer"), "jute.maxbuffer must be left at its default");
    server = EmbeddedZooKeeper.start();
    ZooKeeper zk = rawClient();
    try {
      zk.create("/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT);
      zk.create("/c", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT);
    } finally {
      zk.close();
    }
    setData = largestAccepted(1_048_553, (c, n) -> c.setData("/b", new byte[n], -1));
    readBack = largestAccepted(1_048_487, (c, n) -> assertEquals(n, setAndReadBack(c, n)));
    longPathCreate = largestAccepted(1_048_327, (c, n) -> {
      c.create(LONG_PATH, new byte[n], ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT);
      c.delete(LONG_PATH, -1);
    });
    multi = largestAccepted(1_048_512, (c, n) -> c.multi(List.of(
        org.apache.zookeeper.Op.setData("/b", new byte[n / 2], -1),
        org.apache.zookeeper.Op.setData("/c", new byte[n - n / 2], -1))));
    System.out.printf("largest accepted by a default 3.9.3 server: setData %d, read back %d,"
        + " create with a 201-char path %d, multi of two setData %d%n", setData, readBack, longPathCreate, multi);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static ZooKeeper rawClient() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(server.connectString(), 30_000, e -> {
      if (e.getState() == KeeperState.SyncConnected) {
        connected.countDown();
      }
    });
    assertTrue(connected.await(20, TimeUnit.SECONDS), "no connection to the embedded server");
    return zk;
  }

  private interface RawWrite {
    void run(ZooKeeper zk, int bytes) throws Exception;
  }

  /**
   * The largest size for which {@code write} succeeds on the plain client. The boundary measured
   * before ({@code expected}, see the class comment) is tried first: if it is accepted and one byte
   * more refused, that is the boundary, found in two tries. Otherwise a binary search finds it
   * between what those two tries showed (some 16 tries). A fresh handle per try, since a refused
   * packet costs the connection.
   */
  private static int largestAccepted(int expected, RawWrite write) throws Exception {
    int ok = 1_000_000; // accepted
    int refused = 1024 * 1024 + 1; // refused
    if (accepts(write, expected)) {
      ok = expected;
      if (!accepts(write, expected + 1)) {
        return expected;
      }
      ok = expected + 1;
    } else {
      refused = expected;
    }
    while (refused - ok > 1) {
      int mid = (ok + refused) >>> 1;
      if (accepts(write, mid)) {
        ok = mid;
      } else {
        refused = mid;
      }
    }
    return ok;
  }

  private static boolean accepts(RawWrite write, int bytes) throws Exception {
    ZooKeeper zk = rawClient();
    try {
      write.run(zk, bytes);
      return true;
    } catch (KeeperException.ConnectionLossException e) {
      return false;
    } finally {
      zk.close();
    }
  }

  private static ZooKeeperBackend backend(int maxDataBytes) {
    return ZooKeeperBackend.builder().connectString(server.connectString())
        .capabilities(ZooKeeperFixture.CAPABILITIES).maxDataBytes(maxDataBytes).build();
  }

  private static int setAndReadBack(ZooKeeper zk, int bytes) throws Exception {
    zk.setData("/b", new byte[bytes], -1);
    return zk.getData("/b", false, null).length;
  }

  @Test
  void sharedDefaultFitsWhatADefaultServerTakesWithRoomForPathsAndMultiHeaders() {
    int tightest = Math.min(Math.min(setData, readBack), Math.min(longPathCreate, multi));
    assertTrue(CoordinationBackend.DEFAULT_MAX_DATA_BYTES + MARGIN <= tightest,
        "the shared default " + CoordinationBackend.DEFAULT_MAX_DATA_BYTES + " leaves less than "
            + MARGIN + " bytes below " + tightest);
  }

  @Test
  void adapterRefusesBeforeSendingExactlyWhatTheServerWouldDropAndTheSessionCarriesOn() {
    // A user who raised maxDataBytes without raising jute.maxbuffer: the packet rule still holds.
    try (ZooKeeperBackend backend = backend(Integer.MAX_VALUE)) {
      Session s = join(backend.openSession());
      List<SessionState> transitions = new CopyOnWriteArrayList<>();
      s.addStateListener((session, state) -> transitions.add(state));

      join(s.setData("/b", new byte[readBack], -1));
      assertEquals(readBack, join(s.getData("/b")).data().length);
      DataTooLargeException e = failure(DataTooLargeException.class, s.setData("/b", new byte[readBack + 1], -1));
      assertTrue(e.getMessage().contains(String.valueOf(readBack + 1)), e.getMessage());

      join(s.create(LONG_PATH, new byte[longPathCreate], CreateMode.PERSISTENT));
      join(s.delete(LONG_PATH, -1));
      e = failure(DataTooLargeException.class, s.create(LONG_PATH, new byte[longPathCreate + 1], CreateMode.PERSISTENT));
      assertTrue(e.getMessage().contains("jute.maxbuffer") && e.getMessage().contains("1048575"), e.getMessage());

      join(s.multi(List.of(Op.setData("/b", new byte[multi / 2], -1), Op.setData("/c", new byte[multi - multi / 2], -1))));
      failure(DataTooLargeException.class,
          s.multi(List.of(Op.setData("/b", new byte[multi / 2], -1), Op.setData("/c", new byte[multi + 1 - multi / 2], -1))));

      assertNull(join(s.exists(LONG_PATH)));
      assertEquals(SessionState.CONNECTED, s.state());
      assertEquals(List.of(), transitions, "no refusal cost the connection");
    }
  }

  @Test
  void oneMebibyteWriteIsRefusedBeforeSendingNamingSizeAndLimitAndChangesNothing() {
    try (ZooKeeperBackend backend = backend(CoordinationBackend.DEFAULT_MAX_DATA_BYTES)) {
      Session s = join(backend.openSession());
      List<SessionState> transitions = new CopyOnWriteArrayList<>();
      s.addStateListener((session, state) -> transitions.add(state));
      byte[] mebibyte = new byte[1024 * 1024];

      DataTooLargeException e = failure(DataTooLargeException.class, s.create("/big", mebibyte, CreateMode.PERSISTENT));
      assertTrue(e.getMessage().contains("1048576") && e.getMessage().contains("1000000"), e.getMessage());
      assertEquals("/big", e.path());
      failure(DataTooLargeException.class, s.setData("/b", mebibyte, -1));
      failure(DataTooLargeException.class, s.multi(List.of(Op.create("/big", mebibyte, CreateMode.PERSISTENT))));

      assertNull(join(s.exists("/big")));
      assertEquals(SessionState.CONNECTED, s.state());
      assertEquals(List.of(), transitions, "the refusals did not cost the connection");
      byte[] atLimit = new byte[CoordinationBackend.DEFAULT_MAX_DATA_BYTES];
      atLimit[atLimit.length - 1] = 7;
      join(s.create("/big", atLimit, CreateMode.PERSISTENT));
      assertArrayEquals(atLimit, join(s.getData("/big")).data());
      join(s.delete("/big", -1));
    }
  }
}
