package dev.cohort.spring.boot.integration;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.Paths;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.springframework.integration.support.locks.ExpirableLockRegistry;

/**
 * A Spring Integration lock registry on Cohort: {@link #obtain(Object)} gives the {@link
 * CohortLock} of a key, a {@link DistributedLock} at {@code <prefix>/<key>}. Works wherever Spring
 * Integration takes a {@code LockRegistry}: {@code LockRegistryLeaderInitiator} for leader
 * election, {@code executeLocked} or {@code obtain(key).tryLock()} around a {@code @Scheduled} job,
 * aggregators.
 *
 * <p>Keys are turned into node names with their {@code toString()}, URL-encoded so that any string
 * (slashes, spaces, dots) is one valid node name and different strings never share a lock. The
 * same key gives the same {@link CohortLock} object until {@link #expireUnusedOlderThan(long)}
 * forgets it; processes find each other through the path alone.
 *
 * <p>Thread-safe.
 */
public final class CohortLockRegistry implements ExpirableLockRegistry<CohortLock> {

  private final Cohort client;
  private final String prefix;
  private final LongSupplier nanoClock;
  private final Map<String, CohortLock> locks = new ConcurrentHashMap<>();

  /**
   * A registry whose locks live under {@code prefix}.
   *
   * @param client a started client
   * @param prefix an absolute path, relative to the client's namespace, such as {@code /locks}
   * @throws dev.cohort.spi.InvalidPathException if {@code prefix} is not a valid path
   */
  public CohortLockRegistry(Cohort client, String prefix) {
    this(client, prefix, Objects.requireNonNull(client, "client").timeSource()::nanoTime);
  }

  /**
   * As {@link #CohortLockRegistry(Cohort, String)}, with the clock {@link
   * #expireUnusedOlderThan(long)} measures idleness on.
   *
   * @param client a started client
   * @param prefix an absolute path, relative to the client's namespace
   * @param nanoClock monotonic nanoseconds (the one-argument form uses the client's {@code TimeSource})
   * @throws dev.cohort.spi.InvalidPathException if {@code prefix} is not a valid path
   */
  public CohortLockRegistry(Cohort client, String prefix, LongSupplier nanoClock) {
    this.client = Objects.requireNonNull(client, "client");
    Paths.validate(Objects.requireNonNull(prefix, "prefix"));
    this.prefix = prefix.equals(Paths.ROOT) ? "" : prefix;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * The lock of {@code lockKey}.
   *
   * @param lockKey any object; its {@code toString()} names the lock, and must not be empty
   * @return the same lock object for the same key, until it is expired
   * @throws IllegalArgumentException if the key's string is empty
   */
  @Override
  public CohortLock obtain(Object lockKey) {
    Objects.requireNonNull(lockKey, "lockKey");
    String path = pathOf(lockKey);
    CohortLock lock = locks.computeIfAbsent(path,
        p -> new CohortLock(lockKey, new DistributedLock(client, p), nanoClock));
    lock.touch();
    return lock;
  }

  /**
   * Forgets the lock objects that no thread of this process holds or waits for and that were not
   * used for {@code age} milliseconds, so that a registry used with ever-new keys does not grow
   * without bound. Nothing is sent to the service.
   *
   * @param age milliseconds of disuse after which a lock object is forgotten
   */
  @Override
  public void expireUnusedOlderThan(long age) {
    long now = nanoClock.getAsLong();
    long ageNanos = TimeUnit.MILLISECONDS.toNanos(age);
    locks.entrySet().removeIf(e -> e.getValue().isIdle() && now - e.getValue().lastUsedNanos() > ageNanos);
  }

  /**
   * The path prefix locks live under, relative to the client's namespace.
   *
   * @return the prefix, such as {@code /locks}, or {@code /} for the namespace's root
   */
  public String prefix() {
    return prefix.isEmpty() ? Paths.ROOT : prefix;
  }

  /** How many lock objects the registry holds now; for tests. */
  int size() {
    return locks.size();
  }

  /**
   * The path of a key's lock: one node name, URL-encoded, with the names ZooKeeper reserves
   * ({@code .} and {@code ..}) escaped too.
   */
  String pathOf(Object lockKey) {
    String text = lockKey.toString();
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("a lock key must have a non-empty toString(): " + lockKey.getClass());
    }
    String name = URLEncoder.encode(text, StandardCharsets.UTF_8);
    if (name.equals(".") || name.equals("..")) {
      name = name.replace(".", "%2E");
    }
    return prefix + "/" + name;
  }

  @Override
  public String toString() {
    return "CohortLockRegistry[" + prefix() + ", " + locks.size() + " locks]";
  }
}
