package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many requests a write costs: one transaction when the session's last view of the nodes still
 * holds, one more when it does not; and a stale view never decides an error.
 */
class EtcdRequestCountTest {

  private static final byte[] NONE = new byte[0];

  private final EtcdFixture fixture = new EtcdFixture();
  private final EtcdBackend backend = (EtcdBackend) fixture.backend();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  /** Requests {@code body} sent; only the calling test's sessions are open. */
  private long requestsOf(ThrowingRunnable body) throws Exception {
    long before = backend.requestsSent();
    body.run();
    return backend.requestsSent() - before;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static Throwable cause(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void createSetDataAndDeleteOfNodesTheSessionWroteAreOneRequestEach() throws Exception {
    Session s = fixture.openSession();
    get(s.create("/p", NONE, CreateMode.PERSISTENT));
    assertEquals(1, requestsOf(() -> get(s.create("/p/a", NONE, CreateMode.PERSISTENT))));
    assertEquals(1, requestsOf(() -> assertEquals(1, get(s.setData("/p/a", new byte[] {1}, 0)).version())));
    assertEquals(1, requestsOf(() -> get(s.delete("/p/a", 1))));
    assertEquals(1, requestsOf(() -> get(s.create("/p/b", NONE, CreateMode.EPHEMERAL))));
    assertEquals(1, requestsOf(() -> get(s.delete("/p/b", -1))));
  }

  @Test
  void ephemeralSequentialCreateCarriesTheListingTheNextGetChildrenAnswersFrom() throws Exception {
    Session s = fixture.openSession();
    get(s.create("/lock", NONE, CreateMode.PERSISTENT));
    Session other = fixture.openSession();
    get(other.create("/lock/n-", NONE, CreateMode.EPHEMERAL_SEQUENTIAL));
    get(s.exists("/lock"));
    Created[] mine = new Created[1];
    Children[] listed = new Children[1];
    long requests = requestsOf(() -> {
      CompletableFuture<Created> created = s.create("/lock/n-", NONE, CreateMode.EPHEMERAL_SEQUENTIAL);
      CompletableFuture<Children> children = s.getChildren("/lock", null);
      mine[0] = get(created);
      listed[0] = get(children);
    });
    assertEquals(1, requests, "the create's transaction lists the parent");
    assertEquals(2, listed[0].names().size());
    assertTrue(listed[0].names().contains(mine[0].path().substring("/lock/".length())));
    assertEquals(2, listed[0].stat().numChildren());
    // Only the very next operation answers from it: a later listing reads and sees the change.
    get(other.delete("/lock/n-0000000000", -1));
    assertEquals(1, requestsOf(() -> assertEquals(1, get(s.getChildren("/lock", null)).names().size())));
  }

  @Test
  void aListingIssuedAfterTheCreatesReplyReadsAfresh() throws Exception {
    Session s = fixture.openSession();
    Session other = fixture.openSession();
    get(s.create("/lock", NONE, CreateMode.PERSISTENT));
    get(s.create("/lock/n-", NONE, CreateMode.EPHEMERAL_SEQUENTIAL));
    get(other.create("/lock/n-", NONE, CreateMode.EPHEMERAL_SEQUENTIAL));
    assertEquals(2, get(s.getChildren("/lock", null)).names().size(), "the other session's node is listed");
  }

  @Test
  void aStaleViewCostsOneMoreTransactionAndNeverDecidesAnError() throws Exception {
    Session s = fixture.openSession();
    Session other = fixture.openSession();
    get(s.create("/x", NONE, CreateMode.PERSISTENT));
    get(other.setData("/x", new byte[] {2}, 0));
    // s believes version 0; the server has 1: the answer is BadVersion from a fresh view, not success.
    assertInstanceOf(BadVersionException.class, cause(s.setData("/x", new byte[] {3}, 0)));
    get(other.setData("/x", new byte[] {4}, 1));
    assertEquals(2, requestsOf(() -> assertEquals(3, get(s.setData("/x", new byte[] {5}, -1)).version())),
        "the failed compare's else branch reads /x: no separate read");
    get(other.delete("/x", -1));
    assertInstanceOf(NoNodeException.class, cause(s.delete("/x", -1)));
    assertInstanceOf(NoNodeException.class, cause(s.setData("/x", NONE, -1)));
    get(other.create("/x", NONE, CreateMode.PERSISTENT));
    // s last saw /x missing; the guess loses to the compare and the fresh view says it exists.
    assertInstanceOf(NodeExistsException.class, cause(s.create("/x", NONE, CreateMode.PERSISTENT)));
  }

  @Test
  void setDataReportsTheChildCountAtItsTransactionAfterAChildsLeaseEnded() throws Exception {
    Session s = fixture.openSession();
    get(s.create("/parent", NONE, CreateMode.PERSISTENT));
    Session child = fixture.openSession();
    get(child.create("/parent/e", NONE, CreateMode.EPHEMERAL));
    assertEquals(1, get(s.exists("/parent")).numChildren());
    fixture.expire(child);
    // No compare sees a lease's deletes: the count comes from a read inside the transaction.
    Stat stat = get(s.setData("/parent", new byte[] {1}, 0));
    assertEquals(0, stat.numChildren());
    assertEquals(get(s.exists("/parent")), stat);
  }
}
