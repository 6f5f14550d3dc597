package dev.cohort.recipes.barrier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A double barrier's directory is a container where the backend has them (its members are
 * ephemeral), so the service removes it once the last member's node is gone. A member that lists
 * the barrier afterwards must read that as "no members", not fail with NoNode.
 */
class DoubleBarrierDirectoryRemovedTest {
  private final InMemoryFixture fixture = new InMemoryFixture();
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  @Test
  void leaveAfterTheDirectoryWasRemovedFindsNoMembersLeft() throws Exception {
    client = Cohort.builder(fixture.backend()).timeSource(fixture.time()).build();
    client.start();
    DoubleBarrier barrier = DoubleBarrier.of(client, "/barriers/round", "a", 2);
    assertFalse(barrier.enter(Duration.ZERO), "alone, the barrier does not open");
    fixture.advanceTime(Duration.ofSeconds(1)); // the service's container check runs
    assertNull(client.blocking().exists("/barriers/round", null), "the emptied directory went");

    assertTrue(barrier.leave(Duration.ZERO));
  }
}
