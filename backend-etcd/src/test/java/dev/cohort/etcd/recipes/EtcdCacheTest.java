package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;
import dev.cohort.recipes.cache.CacheSuite;

/** The Cache suite on a real etcd server. */
class EtcdCacheTest extends CacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((EtcdFixture) fixture).watchEventsDelivered());
  }
}
