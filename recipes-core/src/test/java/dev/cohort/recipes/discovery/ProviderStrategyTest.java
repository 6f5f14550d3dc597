package dev.cohort.recipes.discovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProviderStrategyTest {

  private static final List<ServiceInstance> THREE = List.of(
      ServiceInstance.of("api", "a", "10.0.0.1", 80),
      ServiceInstance.of("api", "b", "10.0.0.2", 80),
      ServiceInstance.of("api", "c", "10.0.0.3", 80));

  @Test
  void roundRobinPicksEachInstanceEquallyOften() {
    ProviderStrategy strategy = ProviderStrategy.roundRobin();

    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      picks.merge(strategy.pick(THREE).orElseThrow().id(), 1, Integer::sum);
    }

    assertEquals(Map.of("a", 10, "b", 10, "c", 10), picks);
  }

  @Test
  void roundRobinTakesInstancesInTurn() {
    ProviderStrategy strategy = ProviderStrategy.roundRobin();

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(strategy.pick(THREE).orElseThrow().id());
    }

    assertEquals(List.of("a", "b", "c", "a"), order);
  }

  @Test
  void randomWithTheSameSeedMakesTheSameChoices() {
    ProviderStrategy first = ProviderStrategy.random(new SplittableRandom(42));
    ProviderStrategy second = ProviderStrategy.random(new SplittableRandom(42));

    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      a.add(first.pick(THREE).orElseThrow().id());
      b.add(second.pick(THREE).orElseThrow().id());
    }

    assertEquals(a, b);
    assertTrue(a.containsAll(List.of("a", "b", "c")), "50 seeded picks reach every instance: " + a);
  }

  @Test
  void stickyKeepsItsInstanceWhileItIsLiveAndMovesWhenItGoes() {
    ProviderStrategy strategy = ProviderStrategy.sticky(ProviderStrategy.roundRobin());

    ServiceInstance first = strategy.pick(THREE).orElseThrow();
    for (int i = 0; i < 5; i++) {
      assertEquals(first, strategy.pick(THREE).orElseThrow());
    }
    List<ServiceInstance> withoutFirst = new ArrayList<>(THREE);
    withoutFirst.remove(first);
    ServiceInstance second = strategy.pick(withoutFirst).orElseThrow();

    assertTrue(!second.id().equals(first.id()));
    assertEquals(second, strategy.pick(THREE).orElseThrow(), "sticks to the new one even when the old returns");
  }

  @Test
  void everyStrategyReturnsEmptyWhenNoInstanceIsLive() {
    assertEquals(Optional.empty(), ProviderStrategy.roundRobin().pick(List.of()));
    assertEquals(Optional.empty(), ProviderStrategy.random(new SplittableRandom(1)).pick(List.of()));
    assertEquals(Optional.empty(), ProviderStrategy.sticky(ProviderStrategy.roundRobin()).pick(List.of()));
  }

  @Test
  void anInstanceSurvivesItsNodeEncoding() {
    ServiceInstance instance = new ServiceInstance("api", "i-1", "host.example", 8443, new byte[] {1, 2, 3});

    ServiceInstance decoded = ServiceInstance.decode("api", "i-1", instance.encode());

    assertEquals(instance, decoded);
    assertArrayEquals(new byte[] {1, 2, 3}, decoded.payload());
  }

  @Test
  void badInstanceFieldsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("a/b", "i", "h", 1));
    assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("api", "", "h", 1));
    assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("api", "i", "h", 70000));
    assertThrows(IllegalArgumentException.class, () -> ServiceInstance.decode("api", "i", new byte[] {9}));
  }
}
