package dev.cohort.recipes.discovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.recipes.SteppedClock;
import dev.cohort.recipes.group.DuplicateMemberException;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ServiceDiscovery and ServiceProvider guarantees, on any backend: subclasses supply the fixture. */
public abstract class ServiceDiscoverySuite extends RecipeSuiteSupport {
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeRecipes() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
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
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> discovery(notStarted).register(api("i1", 1)));
    assertTrue(e.getMessage().contains("start()"), e.getMessage());
    Cohort closed = newClient();
    closed.close();
    e = assertThrows(IllegalStateException.class, () -> discovery(closed).register(api("i1", 1)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> discovery(closed).instances("api"));
    assertEquals(List.of(), discovery(newClient()).instances("api"), "nothing registered");
    notStarted.close();
  }

  // ---- service names -------------------------------------------------------------------------

  @Test
  void serviceNamesListsEveryServiceWithARegisteredInstanceSorted() throws Exception {
    ServiceDiscovery discovery = discovery(newClient());
    assertEquals(List.of(), discovery.serviceNames(), "no service yet");
    discovery.register(ServiceInstance.of("db", "d1", "10.0.1.1", 5432));
    discovery(newClient()).register(api("i1", 1));
    discovery(newClient()).register(api("i2", 2));

    assertEquals(List.of("api", "db"), discovery(newClient()).serviceNames());
  }

  // ---- typed payloads ------------------------------------------------------------------------

  /** An application's own payload type and its (hand-written) serializer: no JSON needed. */
  record Zone(String name, int weight) {}

  static final PayloadSerializer<Zone> ZONES = new PayloadSerializer<>() {
    @Override
    public byte[] serialize(Zone zone) {
      return (zone.name() + ";" + zone.weight()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Zone deserialize(byte[] bytes) {
      String[] parts = new String(bytes, StandardCharsets.UTF_8).split(";");
      if (parts.length != 2) {
        throw new IllegalArgumentException("not a zone: " + new String(bytes, StandardCharsets.UTF_8));
      }
      return new Zone(parts[0], Integer.parseInt(parts[1]));
    }
  };

  @Test
  void aTypedPayloadReachesProvidersThroughTheUsersSerializer() throws Exception {
    ServiceInstance registered = ServiceInstance.of("api", "i1", "10.0.0.1", 80, new Zone("eu-west", 3), ZONES);
    discovery(newClient()).register(registered);
    ServiceProvider provider = provider(discovery(newClient()), ProviderStrategy.roundRobin());
    await().until(() -> provider.instances().size() == 1);

    assertEquals(new Zone("eu-west", 3), provider.pick().orElseThrow().payload(ZONES));
    assertEquals(new Zone("eu-west", 3), discovery(newClient()).instances("api").get(0).payload(ZONES));
  }

  @Test
  void theBuiltInSerializersCarryBytesAndText() throws Exception {
    ServiceDiscovery discovery = discovery(newClient());
    discovery.register(ServiceInstance.of("api", "text", "h", 1, "zone=eu", PayloadSerializer.utf8()));
    discovery.register(ServiceInstance.of("api", "raw", "h", 2, new byte[] {7, 8}, PayloadSerializer.bytes()));

    List<ServiceInstance> listed = discovery(newClient()).instances("api");

    assertArrayEquals(new byte[] {7, 8}, listed.get(0).payload(PayloadSerializer.bytes()));
    assertEquals("zone=eu", listed.get(1).payload(PayloadSerializer.utf8()));
  }

  @Test
  void aPayloadItsSerializerCannotReadFailsWithATypedErrorNamingTheInstance() throws Exception {
    ServiceDiscovery discovery = discovery(newClient());
    discovery.register(ServiceInstance.of("api", "i1", "h", 1, "not a zone", PayloadSerializer.utf8()));
    ServiceInstance listed = discovery.instances("api").get(0);

    UnreadablePayloadException e = assertThrows(UnreadablePayloadException.class, () -> listed.payload(ZONES));

    assertTrue(e.getMessage().contains("api/i1"), e.getMessage());
    assertEquals("not a zone", listed.payload(PayloadSerializer.utf8()), "the raw payload is intact");
  }

  // ---- down instances ------------------------------------------------------------------------

  private static final DownInstancePolicy POLICY = new DownInstancePolicy(Duration.ofSeconds(30), 2);

  /** A provider on a client whose clock the test steps, following i1 and i2. */
  private ServiceProvider twoInstancesOnClock(SteppedClock clock, ProviderStrategy strategy) throws Exception {
    ServiceDiscovery registrar = discovery(newClient());
    registrar.register(api("i1", 1));
    registrar.register(api("i2", 2));
    Cohort picker = newClient(Cohort.builder(fixture.backend()).timeSource(clock));
    ServiceProvider provider = discovery(picker).provider("api", strategy, POLICY);
    closeables.add(provider);
    await().until(() -> provider.instances().size() == 2);
    return provider;
  }

  private static Set<String> picked(ServiceProvider provider, int times) {
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < times; i++) {
      provider.pick().ifPresent(instance -> ids.add(instance.id()));
    }
    return ids;
  }

  @Test
  void anInstanceReportedDownIsSkippedUntilThePolicyTimeoutPassesOnTheClientsClock() throws Exception {
    SteppedClock clock = new SteppedClock();
    ServiceProvider provider = twoInstancesOnClock(clock, ProviderStrategy.roundRobin());
    ServiceInstance bad = provider.instances().get(0);

    provider.noteError(bad);
    assertEquals(Set.of("i1", "i2"), picked(provider, 6), "one error is below the threshold of two");
    provider.noteError(bad);
    assertEquals(Set.of("i2"), picked(provider, 6));
    clock.step(Duration.ofSeconds(29));
    assertEquals(Set.of("i2"), picked(provider, 6), "a second of the timeout is left");
    clock.step(Duration.ofSeconds(2));

    assertEquals(Set.of("i1", "i2"), picked(provider, 6));
    assertEquals(2, provider.instances().size(), "instances() lists down instances too");
  }

  @Test
  void errorsFartherApartThanTheTimeoutDoNotAddUp() throws Exception {
    SteppedClock clock = new SteppedClock();
    ServiceProvider provider = twoInstancesOnClock(clock, ProviderStrategy.roundRobin());
    ServiceInstance flaky = provider.instances().get(0);

    provider.noteError(flaky);
    clock.step(Duration.ofSeconds(31));
    provider.noteError(flaky);

    assertEquals(Set.of("i1", "i2"), picked(provider, 6));
  }

  @Test
  void whenEveryInstanceIsDownPickFindsNone() throws Exception {
    SteppedClock clock = new SteppedClock();
    ServiceProvider provider = twoInstancesOnClock(clock, ProviderStrategy.roundRobin());
    for (ServiceInstance instance : provider.instances()) {
      provider.noteError(instance);
      provider.noteError(instance);
    }

    assertEquals(Optional.empty(), provider.pick());
    clock.step(Duration.ofSeconds(30));
    assertTrue(provider.pick().isPresent(), "back once the timeout has passed");
  }

  @Test
  void reportingAnotherServicesInstanceOrABadPolicyIsRefused() throws Exception {
    SteppedClock clock = new SteppedClock();
    ServiceProvider provider = twoInstancesOnClock(clock, ProviderStrategy.roundRobin());

    assertThrows(IllegalArgumentException.class, () -> provider.noteError(ServiceInstance.of("db", "i1", "h", 1)));
    assertThrows(NullPointerException.class, () -> provider.noteError(null));
    assertThrows(IllegalArgumentException.class, () -> new DownInstancePolicy(Duration.ZERO, 2));
    assertThrows(IllegalArgumentException.class, () -> new DownInstancePolicy(Duration.ofSeconds(1), 0));
    assertEquals(Set.of("i1", "i2"), picked(provider, 6), "nothing was marked down");
  }

  // ---- faults --------------------------------------------------------------------------------

  @Test
  void aRegisteredInstanceComesBackAfterItsOwnSessionExpires() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort registrarClient = newClient();
    discovery(registrarClient).register(api("i1", 1));
    ServiceProvider provider = provider(discovery(newClient()), ProviderStrategy.roundRobin());
    await().until(() -> provider.instances().size() == 1);
    long before = registrarClient.sessionId();
    ServiceDiscovery observer = discovery(newClient());

    fixture.expire(registrarClient.session());

    await().atMost(Duration.ofSeconds(30)).until(() -> registrarClient.sessionId() != before
        && observer.instances("api").equals(List.of(api("i1", 1))));
    await().until(() -> provider.instances().equals(List.of(api("i1", 1))));
  }

  @Test
  void aProviderCutOffKeepsServingItsLastViewAndCatchesUpOnReconnect() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    ServiceDiscovery registrar = discovery(newClient());
    registrar.register(api("i1", 1));
    Cohort pickerClient = newClient();
    ServiceProvider provider = provider(discovery(pickerClient), ProviderStrategy.roundRobin());
    await().until(() -> provider.instances().size() == 1);

    fixture.disconnect(pickerClient.session());
    registrar.register(api("i2", 2));
    assertEquals("i1", provider.pick().orElseThrow().id(), "the cached view still answers");
    fixture.reconnect(pickerClient.session());

    await().atMost(Duration.ofSeconds(30)).until(() -> provider.instances().size() == 2);
  }

  @Test
  void aRegistrationWhoseReplyIsLostRegistersOnce() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    ServiceDiscovery discovery = discovery(client);
    discovery(newClient()).register(api("i0", 0)); // the parents exist: the next create is one request

    fixture.loseNextReply(client.session());
    discovery.register(api("i1", 1));

    assertEquals(List.of(api("i0", 0), api("i1", 1)), discovery(newClient()).instances("api"));
    assertEquals(List.of("i0", "i1"), childrenOf("/services/api").stream().sorted().toList());
  }

  // ---- cost ----------------------------------------------------------------------------------

  /** The operations a client sends, by name, in order. */
  static final class OperationLog implements CohortEvents {
    final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public Object operationStarted(String operation) {
      sent.add(operation);
      return null;
    }
  }

  @Test
  void listingInstancesTakesTwoRequestsHoweverManyThereAre() throws Exception {
    ServiceDiscovery registrar = discovery(newClient());
    for (int i = 1; i <= 6; i++) {
      registrar.register(api("i" + i, i));
    }
    OperationLog log = new OperationLog();
    ServiceDiscovery reader = discovery(newClient(Cohort.builder(fixture.backend()).events(log)));

    List<ServiceInstance> listed = reader.instances("api");

    assertEquals(6, listed.size());
    assertEquals(api("i6", 6), listed.get(5));
    assertEquals(List.of("getChildren", "multi"), log.sent);
  }
}
