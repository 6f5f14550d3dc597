package dev.cohort.tck;

import static dev.cohort.tck.Requirements.requireCapability;
import static dev.cohort.tck.Requirements.requireFault;
import static dev.cohort.tck.Requirements.requireMissingCapability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Container nodes (checklist line 15, {@link Capability#CONTAINER_NODES}) and TTL nodes (line 16,
 * {@link Capability#TTL_NODES}). Removal is background work: the test waits up to {@link
 * BackendFixture#backgroundWorkTimeout()}, moving virtual time forward while it waits when the
 * fixture has it.
 */
public abstract class OptionalNodeTypesConformance extends ConformanceSuite {

  /** Waits for {@code path} to be gone, advancing virtual time one second per poll when possible. */
  private void awaitRemoved(Session session, String path) {
    waitFor()
        .atMost(fixture.backgroundWorkTimeout())
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> {
          if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
            fixture.advanceTime(Duration.ofSeconds(1));
          }
          get(session.sync(path));
          assertNull(get(session.exists(path)), path + " should have been removed");
        });
  }

  @Test
  public void containerIsRemovedAfterItsLastChildGoes() {
    requireCapability(fixture, Capability.CONTAINER_NODES);
    Session s = open();
    create(s, "/c", "", CreateMode.CONTAINER);
    create(s, "/c/child", "");
    assertNotNull(get(s.exists("/c")));
    get(s.delete("/c/child", -1));
    awaitRemoved(s, "/c");
  }

  @Test
  public void containerBehavesAsAPersistentParentWhileItHasChildren() {
    requireCapability(fixture, Capability.CONTAINER_NODES);
    Session s = open();
    create(s, "/c", "data", CreateMode.CONTAINER);
    String child = get(s.create("/c/n-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL)).path();
    assertEquals("/c/n-0000000000", child);
    assertEquals("data", read(s, "/c"));
    assertEquals(0, get(s.exists("/c")).ephemeralOwner(), "a container belongs to no session");
  }

  @Test
  public void containerThatNeverHadAChildIsKept() {
    requireCapability(fixture, Capability.CONTAINER_NODES);
    requireFault(fixture, FaultControl.VIRTUAL_TIME);
    Session s = open();
    create(s, "/c", "", CreateMode.CONTAINER);
    fixture.advanceTime(Duration.ofMinutes(10));
    assertNotNull(get(s.exists("/c")), "a container is only removed once it has had children and lost them");
    create(s, "/c/child", "");
    assertEquals(1, get(s.exists("/c")).numChildren());
  }

  @Test
  public void containerWithAChildIsKept() {
    requireCapability(fixture, Capability.CONTAINER_NODES);
    requireFault(fixture, FaultControl.VIRTUAL_TIME);
    Session s = open();
    create(s, "/c", "", CreateMode.CONTAINER);
    create(s, "/c/a", "");
    create(s, "/c/b", "");
    get(s.delete("/c/a", -1));
    fixture.advanceTime(Duration.ofMinutes(10));
    assertNotNull(get(s.exists("/c/b")));
  }

  @Test
  public void ttlNodeWithAChildIsKept() {
    requireCapability(fixture, Capability.TTL_NODES);
    requireFault(fixture, FaultControl.VIRTUAL_TIME);
    Session s = open();
    get(s.create("/t", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(1)));
    create(s, "/t/child", "");
    fixture.advanceTime(Duration.ofMinutes(10));
    assertNotNull(get(s.exists("/t/child")));
  }

  @Test
  public void ttlCountsFromTheLastModification() {
    requireCapability(fixture, Capability.TTL_NODES);
    requireFault(fixture, FaultControl.VIRTUAL_TIME);
    Session s = open();
    get(s.create("/t", bytes("0"), CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(60)));
    fixture.advanceTime(Duration.ofSeconds(40));
    get(s.setData("/t", bytes("1"), -1));
    fixture.advanceTime(Duration.ofSeconds(40));
    assertNotNull(get(s.exists("/t")), "80 s after the create but 40 s after the last change");
    awaitRemoved(s, "/t");
  }

  @Test
  public void containerCreateWithoutTheCapabilityFailsWithUnimplemented() {
    requireMissingCapability(fixture, Capability.CONTAINER_NODES);
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.UNIMPLEMENTED, s.create("/c", bytes(""), CreateMode.CONTAINER));
    assertEquals(before, snapshot());
  }

  @Test
  public void ttlNodeIsRemovedOnceUnmodifiedAndChildlessForItsTtl() {
    requireCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    get(s.create("/t", bytes("x"), CreateMode.PERSISTENT_WITH_TTL, Duration.ofMillis(500)));
    assertNotNull(get(s.exists("/t")));
    awaitRemoved(s, "/t");
  }

  @Test
  public void ttlSequentialNodeGetsASuffix() {
    requireCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    create(s, "/q", "");
    String path = get(s.create("/q/t-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, Duration.ofHours(1))).path();
    assertEquals("/q/t-0000000000", path);
    assertEquals(0, Paths.sequenceOf(path));
  }

  @Test
  public void ttlCreateWithANonTtlModeFailsWithBadArguments() {
    requireCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.create("/t", bytes(""), CreateMode.PERSISTENT, Duration.ofSeconds(5)));
    assertFails(ErrorCode.BAD_ARGUMENTS, s.create("/t", bytes(""), CreateMode.EPHEMERAL, Duration.ofSeconds(5)));
    assertEquals(before, snapshot());
  }

  @Test
  public void ttlCreateWithANonPositiveTtlFailsWithBadArguments() {
    requireCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.create("/t", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ZERO));
    assertFails(ErrorCode.BAD_ARGUMENTS, s.create("/t", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(-1)));
    assertEquals(before, snapshot());
  }

  @Test
  public void ttlCreateWithoutTheCapabilityFailsWithUnimplemented() {
    requireMissingCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.UNIMPLEMENTED, s.create("/t", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(5)));
    assertEquals(before, snapshot());
  }
}
