package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.AsyncAcquireSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;
import java.util.OptionalInt;

/** The asynchronous lock and semaphore acquire suite on a real ZooKeeper server, counting its watches. */
class ZooKeeperAsyncAcquireTest extends AsyncAcquireSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }

  @Override
  protected OptionalInt registeredWatches() {
    return OptionalInt.of(((ZooKeeperFixture) fixture).registeredWatches());
  }

  /** ZooKeeper removes one watcher on the client only (checkWatches); the server's entry waits for the node. */
  @Override
  protected boolean removesServiceWatchAtOnce() {
    return false;
  }
}
