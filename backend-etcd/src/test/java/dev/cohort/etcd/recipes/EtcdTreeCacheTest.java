package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.cache.TreeCacheSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The tree cache suite on a real etcd server (no persistent watches: one-shot watches throughout). */
class EtcdTreeCacheTest extends TreeCacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((EtcdFixture) fixture).watchEventsDelivered());
  }

  @Override
  protected OptionalInt registeredWatches() {
    return OptionalInt.of(((EtcdFixture) fixture).registeredWatches());
  }
}
