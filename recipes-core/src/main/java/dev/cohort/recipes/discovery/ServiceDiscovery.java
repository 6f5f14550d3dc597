package dev.cohort.recipes.discovery;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.group.DuplicateMemberException;
import dev.cohort.recipes.group.GroupMember;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers service instances and finds them. Instances live at {@code <base>/<service>/<id>} as
 * ephemeral nodes whose data describes them, so a crashed instance disappears when its session
 * expires.
 *
 * <p>Guarantees: a registered instance stays registered while this client lives and re-registers
 * by itself after a session loss (it is a {@link GroupMember} of its service); a second live
 * instance with the same id is refused with {@link DuplicateMemberException}; {@link #provider}
 * picks from a live, cached view that ends on the final set of instances, skipping instances its
 * callers report failing ({@link ServiceProvider#noteError}, {@link DownInstancePolicy}).
 *
 * <p>Payloads are bytes; a typed payload goes through a {@link PayloadSerializer} the application
 * supplies ({@link ServiceInstance#of(String, String, String, int, Object, PayloadSerializer)},
 * {@link ServiceInstance#payload(PayloadSerializer)}).
 *
 * <p>Thread-safe.
 */
public final class ServiceDiscovery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceDiscovery.class);

  private final Cohort client;
  private final String base;
  /** Registrations of this client, by service and id. */
  private final Map<String, GroupMember> registrations = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ServiceDiscovery(Cohort client, String base) {
    this.client = client;
    this.base = base;
  }

  /** Service discovery under {@code basePath}, such as {@code /services}. */
  public static ServiceDiscovery create(Cohort client, String basePath) {
    Objects.requireNonNull(client, "client");
    Paths.validate(basePath);
    return new ServiceDiscovery(client, basePath);
  }

  /**
   * Registers {@code instance} for as long as this client lives or until {@link #unregister}.
   *
   * @throws DuplicateMemberException if a live instance with the same service and id exists
   * @throws IllegalStateException if this client already registered that id, if this discovery
   *     is closed, or if the client is not started or is closed (nothing registered)
   */
  public void register(ServiceInstance instance) throws InterruptedException {
    Objects.requireNonNull(instance, "instance");
    checkOpen();
    String key = key(instance.service(), instance.id());
    if (registrations.containsKey(key)) {
      throw new IllegalStateException(key + " is already registered by this client");
    }
    GroupMember member = GroupMember.join(client, servicePath(instance.service()), instance.id(), instance.encode(), null);
    if (registrations.putIfAbsent(key, member) != null) {
      member.close();
      throw new IllegalStateException(key + " is already registered by this client");
    }
    if (closed) {
      // closed while joining: close() may have missed this registration, so undo it here
      registrations.remove(key, member);
      member.close();
      checkOpen();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this ServiceDiscovery is closed: create a new one to register");
    }
    client.checkUsable();
  }

  /**
   * Replaces the address, port or payload of an instance this client registered.
   *
   * @throws IllegalStateException if this client has not registered it
   */
  public void update(ServiceInstance instance) throws InterruptedException {
    Objects.requireNonNull(instance, "instance");
    client.checkUsable();
    GroupMember member = registrations.get(key(instance.service(), instance.id()));
    if (member == null) {
      throw new IllegalStateException(instance.service() + "/" + instance.id() + " is not registered by this client");
    }
    member.update(instance.encode());
  }

  /** Removes an instance this client registered; returns false if it had not. */
  public boolean unregister(String service, String id) {
    GroupMember member = registrations.remove(key(service, id));
    if (member == null) {
      return false;
    }
    member.close();
    return true;
  }

  /**
   * The live instances of {@code service}, read now, sorted by id: two requests (the listing, then
   * every instance's data in one read transaction of up to {@value #READ_BATCH} reads), however many
   * instances there are up to that size. An instance that leaves between the two is not listed.
   */
  public List<ServiceInstance> instances(String service) throws InterruptedException {
    String path = servicePath(service);
    client.checkUsable();
    for (int attempt = 1; ; attempt++) {
      List<String> ids;
      try {
        ids = await(client.async().getChildren(path, null)).names();
      } catch (NoNodeException e) {
        return List.of();
      }
      try {
        return readAll(service, path, ids);
      } catch (NoNodeException e) {
        // An instance left between the listing and the read, which fails the whole transaction.
        if (attempt == MAX_LISTINGS) {
          return readEach(service, path, ids);
        }
      }
    }
  }

  /** Reads of one read transaction in {@link #instances}. */
  static final int READ_BATCH = 128;
  /** Listings {@link #instances} makes before it falls back to reading instances one by one. */
  private static final int MAX_LISTINGS = 3;

  private List<ServiceInstance> readAll(String service, String path, List<String> ids) throws InterruptedException {
    List<ServiceInstance> instances = new ArrayList<>(ids.size());
    for (int from = 0; from < ids.size(); from += READ_BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + READ_BATCH));
      List<Op> reads = new ArrayList<>(batch.size());
      batch.forEach(id -> reads.add(Op.getData(Paths.join(path, id))));
      List<OpResult> results = await(client.async().multi(reads));
      for (int i = 0; i < batch.size(); i++) {
        addDecoded(instances, service, batch.get(i), ((OpResult.GetDataResult) results.get(i)).data());
      }
    }
    return sorted(instances);
  }

  private List<ServiceInstance> readEach(String service, String path, List<String> ids) throws InterruptedException {
    List<ServiceInstance> instances = new ArrayList<>(ids.size());
    for (String id : ids) {
      try {
        addDecoded(instances, service, id, await(client.async().getData(Paths.join(path, id), null)).data());
      } catch (NoNodeException e) {
        // gone since the listing
      }
    }
    return sorted(instances);
  }

  private static void addDecoded(List<ServiceInstance> into, String service, String id, byte[] data) {
    try {
      into.add(ServiceInstance.decode(service, id, data));
    } catch (IllegalArgumentException e) {
      log.warn("service {}: skipping unreadable instance {}: {}", service, id, e.getMessage());
    }
  }

  private static List<ServiceInstance> sorted(List<ServiceInstance> instances) {
    instances.sort(Comparator.comparing(ServiceInstance::id));
    return List.copyOf(instances);
  }

  /**
   * The names of the services registered under this discovery's base path, sorted: one request.
   * Every service with a live instance is listed; a service whose instances have all gone may be
   * listed too, as its node can outlive them.
   */
  public List<String> serviceNames() throws InterruptedException {
    client.checkUsable();
    try {
      List<String> names = new ArrayList<>(await(client.async().getChildren(base, null)).names());
      names.sort(null);
      return List.copyOf(names);
    } catch (NoNodeException e) {
      return List.of();
    }
  }

  /**
   * A provider of {@code service}'s instances: a live view plus {@code strategy}, skipping
   * instances reported down as {@link DownInstancePolicy#DEFAULT} says. Close it when done (it holds
   * watches).
   */
  public ServiceProvider provider(String service, ProviderStrategy strategy) throws InterruptedException {
    return provider(service, strategy, DownInstancePolicy.DEFAULT);
  }

  /**
   * A provider of {@code service}'s instances: a live view plus {@code strategy}, skipping
   * instances reported down as {@code downPolicy} says. Close it when done (it holds watches).
   */
  public ServiceProvider provider(String service, ProviderStrategy strategy, DownInstancePolicy downPolicy)
      throws InterruptedException {
    Objects.requireNonNull(downPolicy, "downPolicy");
    client.checkUsable();
    return ServiceProvider.start(client, service, servicePath(service), strategy, downPolicy);
  }

  /**
   * Unregisters every instance this client registered; later registrations are refused. Other
   * sessions' instances are untouched. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    registrations.values().forEach(GroupMember::close);
    registrations.clear();
  }

  private String servicePath(String service) {
    ServiceInstance.requireSegment(service, "service");
    return Paths.join(base, service);
  }

  private static String key(String service, String id) {
    return service + "/" + id;
  }

  static ServiceInstance decodeOrNull(String service, ChildData child) {
    try {
      return ServiceInstance.decode(service, child.name(), child.data());
    } catch (IllegalArgumentException e) {
      log.warn("service {}: skipping unreadable instance {}: {}", service, child.name(), e.getMessage());
      return null;
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
