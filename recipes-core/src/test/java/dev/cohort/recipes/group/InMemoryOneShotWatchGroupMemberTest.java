package dev.cohort.recipes.group;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.Capability;
import dev.cohort.tck.BackendFixture;

/**
 * The group membership suite on the in-memory backend without persistent watches: the view then
 * follows the group with one-shot child and data watches, as it does on backends that lack them.
 */
class InMemoryOneShotWatchGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture(InMemoryBackend.builder().withoutCapability(Capability.PERSISTENT_WATCHES));
  }
}
