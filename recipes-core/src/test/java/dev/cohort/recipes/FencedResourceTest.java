package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FencedResourceTest {

  @Test
  void rejectsATokenOlderThanOneAlreadyAcceptedAndKeepsTheHighest() {
    FencedResource resource = new FencedResource();
    resource.accept(new FencingToken(10));
    StaleTokenException e = assertThrows(StaleTokenException.class, () -> resource.accept(new FencingToken(7)));
    assertEquals(7, e.rejected().value());
    assertEquals(10, e.highestSeen().value());
    assertEquals(10, resource.highestSeen(), "a refused token must change nothing");
  }

  @Test
  void acceptsTheCurrentOwnerAgainAndANewerOwner() {
    FencedResource resource = new FencedResource();
    assertTrue(resource.tryAccept(new FencingToken(5)));
    assertTrue(resource.tryAccept(new FencingToken(5)));
    assertTrue(resource.tryAccept(new FencingToken(6)));
    assertFalse(resource.tryAccept(new FencingToken(5)));
  }

  @Property
  void neverAcceptsATokenBelowOneItAcceptedBefore(
      @ForAll @Size(min = 1, max = 50) List<@LongRange(min = 1, max = 100) Long> tokens) {
    FencedResource resource = new FencedResource();
    long highestAccepted = 0;
    for (long t : tokens) {
      boolean accepted = resource.tryAccept(new FencingToken(t));
      assertEquals(t >= highestAccepted, accepted);
      if (accepted) {
        highestAccepted = t;
      }
    }
    assertEquals(highestAccepted, resource.highestSeen());
  }

  @Test
  void fencingTokensArePositive() {
    assertThrows(IllegalArgumentException.class, () -> new FencingToken(0));
  }
}
