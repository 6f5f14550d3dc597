package dev.cohort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void expiredReplicaDisappearsAndTheObserverIsTold() throws InterruptedException {
    Demo.DemoResult result = Demo.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(3, result.membersBefore());
    assertEquals(2, result.membersAfterExpiry());
    assertTrue(result.watchFired(), "the observer's child watch must fire when the expired replica's node goes");
    assertTrue(result.typedErrorsSeen(), "bad input must fail with the typed SPI errors");
  }
}
