package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.rendezvous.RendezvousSuite;

/** The Rendezvous suite on a real etcd server. */
class EtcdRendezvousTest extends RendezvousSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
