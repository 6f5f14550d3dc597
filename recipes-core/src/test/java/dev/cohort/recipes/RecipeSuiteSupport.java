package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;

import dev.cohort.spi.Children;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Session;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every recipe suite shares: a fresh fixture per test, clients on it, a pool for contending
 * threads, and checks that read the tree directly. A backend runs a suite by subclassing it and
 * naming its fixture.
 */
public abstract class RecipeSuiteSupport {

  /** The session timeout every test client asks for. */
  protected static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  /** The namespace every test client works in. */
  protected static final String NAMESPACE = "/recipes";

  protected BackendFixture fixture;
  private final List<Cohort> clients = new ArrayList<>();
  protected ExecutorService pool;
  private long seed = 42;

  /** A fresh fixture for one test. */
  protected abstract BackendFixture newFixture();

  /** Watch events delivered so far by the fixture's backend, if it counts them. */
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.empty();
  }

  @BeforeEach
  void createFixture() {
    fixture = newFixture();
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void closeFixture() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  /** A started client with a seeded random source and fast, bounded retries. */
  protected Cohort newClient() {
    return newClient(Cohort.builder(fixture.backend()));
  }

  protected Cohort newClient(Cohort.Builder builder) {
    Cohort client = builder
        .namespace(NAMESPACE)
        .sessionTimeout(SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 20, Duration.ofSeconds(30)))
        .random(new Random(seed++))
        .build();
    try {
      client.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    clients.add(client);
    return client;
  }

  protected void requireFaults(FaultControl... controls) {
    for (FaultControl c : controls) {
      Assumptions.assumeTrue(fixture.supports(c), () -> fixture.backend().name() + " lacks " + c);
    }
  }

  /** The children of {@code path} (namespace-relative), read on a session of its own; empty if missing. */
  protected List<String> childrenOf(String path) {
    Session observer = observer();
    try {
      Children c = observer.getChildren(fullPath(path)).get(10, TimeUnit.SECONDS);
      return c.names();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof NoNodeException) {
        return List.of();
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code path} (namespace-relative) exists, seen by a session of the test's own. */
  protected boolean exists(String path) {
    try {
      return observer().exists(fullPath(path)).get(10, TimeUnit.SECONDS) != null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Session observerSession;

  private Session observer() {
    if (observerSession == null || observerSession.state().isTerminal()) {
      observerSession = fixture.openSession(SESSION_TIMEOUT);
    }
    return observerSession;
  }

  protected static String fullPath(String path) {
    return path.equals("/") ? NAMESPACE : NAMESPACE + path;
  }

  /** Waits (bounded) until {@code path} has exactly {@code count} children. */
  protected void awaitChildren(String path, int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> childrenOf(path).size() == count);
  }

  /** Runs {@code task} on the test pool. */
  protected <T> CompletableFuture<T> inThread(ThrowingSupplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    pool.execute(() -> {
      try {
        result.complete(task.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  /** A task for {@link #inThread} that may throw anything. */
  @FunctionalInterface
  protected interface ThrowingSupplier<T> {
    T get() throws Exception;
  }
}
