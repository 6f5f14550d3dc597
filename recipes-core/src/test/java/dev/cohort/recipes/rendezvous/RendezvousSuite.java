package dev.cohort.recipes.rendezvous;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rendezvous guarantees, on any backend: subclasses supply the fixture. */
public abstract class RendezvousSuite {
  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<Rendezvous> joined = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @BeforeEach
  void setUp() {
    fixture = newFixture();
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    joined.forEach(Rendezvous::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend())
        .sessionTimeout(Duration.ofSeconds(10))
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private Rendezvous join(Cohort client, List<String> seen) throws InterruptedException {
    Rendezvous r = Rendezvous.join(client, "/rv/master", data -> seen.add(text(data)));
    joined.add(r);
    return r;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void aWorkerThatStartsFirstGetsTheDataOnceTheMasterPublishes() throws Exception {
    Rendezvous worker = join(newClient(), new CopyOnWriteArrayList<>());
    Future<Optional<byte[]>> awaited = threads.submit(() -> worker.await(Duration.ofSeconds(20)));

    Rendezvous.publish(newClient(), "/rv/master", bytes("host:1"));

    assertEquals("host:1", text(awaited.get().orElseThrow()));
  }

  @Test
  void aWorkerThatStartsLateGetsTheDataAtOnce() throws Exception {
    Rendezvous.publish(newClient(), "/rv/master", bytes("host:1"));

    Rendezvous worker = join(newClient(), new CopyOnWriteArrayList<>());

    assertEquals("host:1", text(worker.await(Duration.ofMillis(1)).orElseThrow()));
  }

  @Test
  void awaitGivesUpWhenNothingIsPublishedInTime() throws Exception {
    Rendezvous worker = join(newClient(), new CopyOnWriteArrayList<>());

    assertEquals(Optional.empty(), worker.await(Duration.ofMillis(50)));
  }

  @Test
  void workersAreToldOfEveryRepublication() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    join(newClient(), seen);
    Cohort master = newClient();

    Rendezvous.publish(master, "/rv/master", bytes("v1"));
    await().until(() -> seen.contains("v1"));
    Rendezvous.publish(master, "/rv/master", bytes("v2"));
    await().until(() -> seen.contains("v2"));
    Rendezvous.publish(master, "/rv/master", bytes("v3"));
    await().until(() -> seen.contains("v3"));

    assertEquals(List.of("v1", "v2", "v3"), seen);
  }

  @Test
  void aWorkerEndsOnTheLatestDataAfterItsSessionIsLost() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    List<String> seen = new CopyOnWriteArrayList<>();
    Cohort workerClient = newClient();
    Rendezvous worker = join(workerClient, seen);
    Cohort master = newClient();
    Rendezvous.publish(master, "/rv/master", bytes("v1"));
    await().until(() -> seen.contains("v1"));

    fixture.expire(workerClient.session());
    Rendezvous.publish(master, "/rv/master", bytes("v2"));

    await().until(() -> worker.current().map(RendezvousSuite::text).equals(Optional.of("v2")));
    assertTrue(seen.get(seen.size() - 1).equals("v2"));
  }
}
