package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.locks.AsyncAcquireSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalInt;

/** The asynchronous lock and semaphore acquire suite on a real etcd server, counting live watches. */
class EtcdAsyncAcquireTest extends AsyncAcquireSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  @Override
  protected OptionalInt registeredWatches() {
    return OptionalInt.of(((EtcdFixture) fixture).registeredWatches());
  }
}
