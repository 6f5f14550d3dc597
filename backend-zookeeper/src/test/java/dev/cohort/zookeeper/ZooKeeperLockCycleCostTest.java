package dev.cohort.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a lock cycle costs a real ZooKeeper server, counted by the server itself: a thread that
 * releases and at once acquires again sends one transaction per cycle (the release's mark and
 * delete and the new node), and its new node holds without a listing. Without the join, a cycle is
 * three requests (create, listing, delete).
 */
class ZooKeeperLockCycleCostTest {

  private static final int CYCLES = 40;

  private final ZooKeeperFixture fixture = new ZooKeeperFixture();
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  @Test
  void aThreadThatReleasesAndAcquiresAgainAtOnceSendsOneRequestPerCycle() throws Exception {
    // a window far longer than the gap between a release and the next acquire, so the count does
    // not depend on this machine's scheduling; the default is ZooKeeperBackend#writeJoinWindow()
    long requests = requestsForCycles(Duration.ofMillis(10));
    assertTrue(requests <= CYCLES + 10, requests + " requests for " + CYCLES + " cycles");
  }

  @Test
  void theBackendsDefaultWindowIsFiftyMicroseconds() {
    assertEquals(Duration.ofNanos(50_000), fixture.backend().writeJoinWindow());
    client = Cohort.builder(fixture.backend()).build();
    assertEquals(Duration.ofNanos(50_000), client.writeJoinWindow());
  }

  private long requestsForCycles(Duration window) throws Exception {
    client = Cohort.builder(fixture.backend()).writeJoinWindow(window).build();
    client.start();
    DistributedLock lock = new DistributedLock(client, "/l");
    FencingToken last = lock.acquire(); // the directory exists from here on
    lock.release();
    long before = fixture.server().packetsReceived();
    for (int i = 0; i < CYCLES; i++) {
      FencingToken token = lock.acquire();
      assertTrue(token.isNewerThan(last), "each hold a newer token");
      last = token;
      lock.release();
    }
    return fixture.server().packetsReceived() - before;
  }
}
