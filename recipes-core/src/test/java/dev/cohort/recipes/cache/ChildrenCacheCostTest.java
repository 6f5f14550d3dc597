package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What one change costs a {@link ChildrenCache}, counted in requests the cache's session sends (no
 * clock involved): the same small number with 10 children as with 1,000, on the persistent-watch
 * path and on the one-shot path (a backend without {@link Capability#PERSISTENT_WATCHES}).
 */
class ChildrenCacheCostTest {
  /** The session calls that send a request to the service. */
  private static final Set<String> REQUESTS = Set.of("create", "delete", "exists", "getData", "setData",
      "getChildren", "sync", "multi", "addWatch", "removeWatches");

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicLong requests = new AtomicLong();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @ParameterizedTest(name = "persistent watches: {0}")
  @ValueSource(booleans = {true, false})
  void oneChildsDataChangeCostsTheSameWithTenAndAThousandChildren(boolean persistent) throws Exception {
    long small = costOf(persistent, 10, (writer, cache) -> {
      writer.blocking().setData("/svc/c5", bytes("new"), -1);
      return c -> c.children().get("c5") != null && text(c.children().get("c5")).equals("new");
    });
    long large = costOf(persistent, 1_000, (writer, cache) -> {
      writer.blocking().setData("/svc/c5", bytes("new"), -1);
      return c -> c.children().get("c5") != null && text(c.children().get("c5")).equals("new");
    });

    assertEquals(small, large, "a data change costs the same whatever the number of children");
    assertTrue(large <= 2, "one data change cost " + large + " requests");
  }

  @ParameterizedTest(name = "persistent watches: {0}")
  @ValueSource(booleans = {true, false})
  void aNewChildCostsTheSameWithTenAndAThousandChildren(boolean persistent) throws Exception {
    long small = costOf(persistent, 10, (writer, cache) -> {
      writer.blocking().create("/svc/new", bytes("x"), CreateMode.PERSISTENT);
      return c -> c.children().containsKey("new");
    });
    long large = costOf(persistent, 1_000, (writer, cache) -> {
      writer.blocking().create("/svc/new", bytes("x"), CreateMode.PERSISTENT);
      return c -> c.children().containsKey("new");
    });

    assertEquals(small, large, "a create costs the same whatever the number of children");
    assertTrue(large <= 2, "one create cost " + large + " requests");
  }

  @ParameterizedTest(name = "persistent watches: {0}")
  @ValueSource(booleans = {true, false})
  void aRemovedChildCostsTheSameWithTenAndAThousandChildren(boolean persistent) throws Exception {
    long small = costOf(persistent, 10, (writer, cache) -> {
      writer.blocking().delete("/svc/c5", -1);
      return c -> !c.children().containsKey("c5");
    });
    long large = costOf(persistent, 1_000, (writer, cache) -> {
      writer.blocking().delete("/svc/c5", -1);
      return c -> !c.children().containsKey("c5");
    });

    assertEquals(small, large, "a delete costs the same whatever the number of children");
    assertTrue(large <= 2, "one delete cost " + large + " requests");
  }

  private interface Change {
    /** Makes the change; returns when the cache shows it. */
    Predicate<ChildrenCache> make(Cohort writer, ChildrenCache cache) throws Exception;
  }

  /** Requests the cache's session sent for {@code change}, over {@code children} children. */
  private long costOf(boolean persistent, int children, Change change) throws Exception {
    InMemoryBackend.Builder builder = InMemoryBackend.builder();
    if (!persistent) {
      builder.withoutCapability(Capability.PERSISTENT_WATCHES);
    }
    InMemoryFixture fixture = new InMemoryFixture(builder);
    closeables.add(fixture);
    Cohort writer = client(fixture.backend());
    writer.blocking().createWithParents("/svc/c0", bytes("0"), CreateMode.PERSISTENT);
    for (int i = 1; i < children; i++) {
      writer.blocking().create("/svc/c" + i, bytes(Integer.toString(i)), CreateMode.PERSISTENT);
    }
    Cohort reader = client(counting(fixture.backend()));
    ChildrenCache cache = ChildrenCache.start(reader, "/svc", null);
    closeables.add(cache);
    assertEquals(persistent, cache.usesPersistentWatch());
    assertEquals(children, cache.children().size());
    await().until(() -> !cache.isRefreshing());

    long before = requests.get();
    Predicate<ChildrenCache> shown = change.make(writer, cache);
    await().pollInterval(Duration.ofMillis(1)).until(() -> shown.test(cache) && !cache.isRefreshing());
    return requests.get() - before;
  }

  private Cohort client(CoordinationBackend backend) throws InterruptedException {
    Cohort client = Cohort.builder(backend).namespace("/app").build();
    client.start();
    closeables.add(client);
    return client;
  }

  /** {@code real}, whose sessions count the requests they send into {@link #requests}. */
  private CoordinationBackend counting(CoordinationBackend real) {
    return proxy(CoordinationBackend.class, real, (method, args) -> {
      Object result = forward(method, real, args);
      if (method.getName().equals("openSession")) {
        return ((CompletableFuture<?>) result).thenApply(s -> proxy(Session.class, (Session) s, (m, a) -> {
          if (REQUESTS.contains(m.getName())) {
            requests.incrementAndGet();
          }
          return forward(m, s, a);
        }));
      }
      return result;
    });
  }

  private interface Call {
    Object invoke(Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T real, Call call) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, method, args) -> call.invoke(method, args)));
  }

  private static Object forward(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ChildData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }
}
