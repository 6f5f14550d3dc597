package dev.cohort.recipes.discovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.recipes.group.DuplicateMemberException;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ServiceDiscovery and ServiceProvider guarantees, on any backend: subclasses supply the fixture. */
public abstract class ServiceDiscoverySuite {
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    fixture = newFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend())
        .sessionTimeout(SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private ServiceDiscovery discovery(Cohort client) {
    ServiceDiscovery discovery = ServiceDiscovery.create(client, "/services");
    closeables.add(discovery);
    return discovery;
  }

  private ServiceProvider provider(ServiceDiscovery discovery, ProviderStrategy strategy) throws InterruptedException {
    ServiceProvider provider = discovery.provider("api", strategy);
    closeables.add(provider);
    return provider;
  }

  private static ServiceInstance api(String id, int port) {
    return new ServiceInstance("api", id, "10.0.0." + port, port, new byte[] {(byte) port});
  }

  @Test
  void registeredInstancesAreListedWithTheirAddressAndPayload() throws Exception {
    discovery(newClient()).register(api("i1", 1));
    discovery(newClient()).register(api("i2", 2));

    List<ServiceInstance> listed = discovery(newClient()).instances("api");

    assertEquals(List.of(api("i1", 1), api("i2", 2)), listed);
  }

  @Test
  void aProviderFollowsRegistrationsUpdatesAndUnregistrations() throws Exception {
    ServiceDiscovery registrar = discovery(newClient());
    ServiceProvider provider = provider(discovery(newClient()), ProviderStrategy.roundRobin());
    List<List<ServiceInstance>> changes = new CopyOnWriteArrayList<>();
    provider.addListener(changes::add);
    assertEquals(Optional.empty(), provider.pick());

    registrar.register(api("i1", 1));
    await().until(() -> provider.instances().equals(List.of(api("i1", 1))));
    registrar.update(api("i1", 9));
    await().until(() -> provider.instances().equals(List.of(api("i1", 9))));
    assertTrue(registrar.unregister("api", "i1"));
    await().until(() -> provider.instances().isEmpty());

    assertFalse(changes.isEmpty());
    assertEquals(List.of(), changes.get(changes.size() - 1), "the last change seen is the final state");
  }

  @Test
  void roundRobinOverTheCachedViewSpreadsPicksEvenly() throws Exception {
    ServiceDiscovery registrar = discovery(newClient());
    for (int i = 1; i <= 3; i++) {
      registrar.register(api("i" + i, i));
    }
    ServiceProvider provider = provider(discovery(newClient()), ProviderStrategy.roundRobin());
    await().until(() -> provider.instances().size() == 3);

    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      picks.merge(provider.pick().orElseThrow().id(), 1, Integer::sum);
    }

    assertEquals(Map.of("i1", 10, "i2", 10, "i3", 10), picks);
  }

  @Test
  void aStickyProviderMovesOnlyWhenItsInstanceGoes() throws Exception {
    ServiceDiscovery registrar = discovery(newClient());
    registrar.register(api("i1", 1));
    registrar.register(api("i2", 2));
    ServiceProvider provider = provider(discovery(newClient()),
        ProviderStrategy.sticky(ProviderStrategy.random(new SplittableRandom(7))));
    await().until(() -> provider.instances().size() == 2);
    String first = provider.pick().orElseThrow().id();
    for (int i = 0; i < 10; i++) {
      assertEquals(first, provider.pick().orElseThrow().id());
    }

    registrar.unregister("api", first);
    await().until(() -> provider.instances().size() == 1);

    String second = provider.pick().orElseThrow().id();
    assertFalse(second.equals(first));
  }

  @Test
  void aCrashedInstanceDisappearsWhenItsSessionExpires() throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT) && fixture.supports(FaultControl.VIRTUAL_TIME),
        "needs DISCONNECT and VIRTUAL_TIME");
    Cohort crashing = newClient();
    discovery(crashing).register(api("doomed", 1));
    discovery(newClient()).register(api("healthy", 2));
    ServiceProvider provider = provider(discovery(newClient()), ProviderStrategy.roundRobin());
    await().until(() -> provider.instances().size() == 2);

    fixture.disconnect(crashing.session());
    fixture.advanceTime(SESSION_TIMEOUT.plusSeconds(30));

    await().until(() -> provider.instances().equals(List.of(api("healthy", 2))));
    for (int i = 0; i < 5; i++) {
      assertEquals("healthy", provider.pick().orElseThrow().id());
    }
  }

  @Test
  void aSecondLiveInstanceWithTheSameIdIsRefusedAndTheFirstStays() throws Exception {
    discovery(newClient()).register(api("i1", 1));
    ServiceDiscovery other = discovery(newClient());

    assertThrows(DuplicateMemberException.class, () -> other.register(api("i1", 2)));

    assertEquals(List.of(api("i1", 1)), other.instances("api"));
  }

  @Test
  void updatingAnInstanceThisClientDidNotRegisterIsRefusedAndChangesNothing() throws Exception {
    discovery(newClient()).register(api("i1", 1));
    ServiceDiscovery other = discovery(newClient());

    assertThrows(IllegalStateException.class, () -> other.update(api("i1", 5)));

    assertEquals(List.of(api("i1", 1)), other.instances("api"));
    assertFalse(other.unregister("api", "i1"));
  }

  @Test
  void anUnknownServiceHasNoInstances() throws Exception {
    ServiceDiscovery discovery = discovery(newClient());
    assertEquals(new ArrayList<ServiceInstance>(), discovery.instances("nothing-here"));
  }

  @Test
  void registeringAfterCloseIsRefusedAndRegistersNothing() throws Exception {
    Cohort client = newClient();
    ServiceDiscovery discovery = discovery(client);
    discovery.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> discovery.register(api("late", 9)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals(List.of(), discovery(client).instances("api"), "nothing registered");
  }

  @Test
  void registeringOnAClientNotStartedOrClosedIsRefusedAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    clients.add(notStarted);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> discovery(notStarted).register(api("i1", 1)));
    assertTrue(e.getMessage().contains("start()"), e.getMessage());
    Cohort closed = newClient();
    closed.close();
    e = assertThrows(IllegalStateException.class, () -> discovery(closed).register(api("i1", 1)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> discovery(closed).instances("api"));
    assertEquals(List.of(), discovery(newClient()).instances("api"), "nothing registered");
  }
}
