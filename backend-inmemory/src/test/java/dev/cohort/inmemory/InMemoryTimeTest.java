package dev.cohort.inmemory;

import static dev.cohort.inmemory.InMemoryBackendTest.bytes;
import static dev.cohort.inmemory.InMemoryBackendTest.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Virtual time: the clock, container and TTL sweeps driven by it. */
class InMemoryTimeTest {
  private final InMemoryFixture fixture = new InMemoryFixture();
  private final Session s = fixture.openSession();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void manualClockMovesOnlyWhenAdvancedAndNeverBackwards() {
    ManualTimeSource time = fixture.time();
    long start = time.epochMillis();
    assertEquals(ManualTimeSource.DEFAULT_START.toEpochMilli(), start);
    time.advance(Duration.ofMillis(1500));
    assertEquals(start + 1500, time.epochMillis());
    assertEquals(1_500_000_000L, time.nanoTime());
    assertThrows(IllegalArgumentException.class, () -> time.advance(Duration.ofMillis(-1)));
    assertEquals(start + 1500, time.epochMillis());
  }

  @Test
  void containerIsDeletedAtTheNextSweepAfterItsLastChildGoesAndWatchersHear() {
    join(s.create("/c", new byte[0], CreateMode.CONTAINER));
    join(s.create("/c/kid", new byte[0], CreateMode.PERSISTENT));
    fixture.advanceTime(Duration.ofSeconds(1));
    assertNotNull(join(s.exists("/c")), "a container with a child stays");
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    join(s.delete("/c/kid", -1));
    join(s.exists("/c", events::add));
    fixture.advanceTime(Duration.ofMillis(1));
    assertNull(join(s.exists("/c")));
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/c")), events);
  }

  @Test
  void ttlNodeIsDeletedOnceUnmodifiedForLongerThanItsTtl() {
    join(s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(10)));
    fixture.advanceTime(Duration.ofSeconds(6));
    join(s.setData("/t", bytes("touch"), -1));
    fixture.advanceTime(Duration.ofSeconds(6));
    assertNotNull(join(s.exists("/t")), "modified 6 s ago");
    fixture.advanceTime(Duration.ofSeconds(5));
    assertNull(join(s.exists("/t")));
  }

  @Test
  void sequentialTtlNodesGetSuffixesAndExpireToo() {
    join(s.create("/q", new byte[0], CreateMode.PERSISTENT));
    String path = join(s.create("/q/item-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, Duration.ofMillis(100))).path();
    assertEquals("/q/item-0000000000", path);
    fixture.advanceTime(Duration.ofMillis(101));
    assertNull(join(s.exists(path)));
  }
}
