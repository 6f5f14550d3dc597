package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.recipes.discovery.ProviderStrategy;
import dev.cohort.recipes.discovery.ServiceDiscovery;
import dev.cohort.recipes.discovery.ServiceInstance;
import dev.cohort.recipes.discovery.ServiceProvider;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code discovery}: service instances register with {@link ServiceDiscovery} (ephemeral nodes); a
 * client keeps a live view through a {@link ServiceProvider}; every instance follows a shared
 * configuration node with a {@link NodeCache}.
 * The demo changes the configuration (every instance must see it), crashes an instance (it must
 * vanish from the view) and times both.
 */
@Command(name = "discovery", mixinStandardHelpOptions = true,
    description = {"Service discovery and configuration: instances register (ephemeral nodes), a "
        + "client's view follows them by watch, a configuration change reaches every instance, and a "
        + "crashed instance disappears from the view when its session ends.",
        "Exit code 0 if every instance saw the change and the crashed one vanished."})
final class DiscoveryCommand implements Callable<Integer> {

  static final String SERVICES = "/services";
  static final String SERVICE = "orders";
  static final String CONFIG = "/config/orders";

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--instances", paramLabel = "N", defaultValue = "5",
      description = "Service instances to register (2..100, default: ${DEFAULT-VALUE}).")
  int instances;

  /** The outcome: registered, seen after the change, left after the crash, and the times. */
  record Result(int registered, int sawNewConfig, int afterCrash, double configMillis, double vanishMillis) {
    boolean ok() {
      return sawNewConfig == registered && afterCrash == registered - 1;
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    backend.validate();
    CommonOptions.requireRange(spec, "--instances", instances, 2, 100);
    try (DemoCluster cluster = DemoCluster.start(backend)) {
      Result r = run(cluster, spec.commandLine().getOut(), instances);
      spec.commandLine().getOut().println(r.ok()
          ? "OK: every instance got the new configuration and the crashed instance vanished."
          : "FAILED: " + r);
      return r.ok() ? 0 : 1;
    }
  }

  /** One service instance: registered while its session lives, following the configuration. */
  private static final class Instance {
    final String id;
    final Cohort client;
    final AtomicReference<String> config = new AtomicReference<>("");
    private ServiceDiscovery discovery;
    private NodeCache configCache;

    Instance(String id, Cohort client) {
      this.id = id;
      this.client = client;
    }

    void start(int port) throws InterruptedException {
      discovery = ServiceDiscovery.create(client, SERVICES);
      discovery.register(ServiceInstance.of(SERVICE, id, "127.0.0.1", port));
      configCache = NodeCache.start(client, CONFIG, current -> config.set(current
          .map(d -> new String(d.data(), StandardCharsets.UTF_8)).orElse("")));
    }
  }

  static Result run(DemoCluster cluster, PrintWriter out, int n) throws InterruptedException {
    out.printf("discovery: %d instances of '%s', on the %s%n", n, SERVICE, cluster.describe());
    Cohort admin = cluster.newClient();
    createIfMissing(admin, CONFIG, "timeout=1s");
    ServiceProvider view = ServiceDiscovery.create(cluster.newClient(), SERVICES)
        .provider(SERVICE, ProviderStrategy.roundRobin());
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instance inst = new Instance("instance-" + (i + 1), cluster.newClient());
      inst.start(8080 + i);
      instances.add(inst);
    }
    Timeline clock = new Timeline();
    awaitTrue(() -> view.instances().size() == n, clock, 10);
    out.printf("  view: %s%n", ids(view));

    double t0 = clock.now();
    admin.blocking().setData(CONFIG, "timeout=5s".getBytes(StandardCharsets.UTF_8), -1);
    awaitTrue(() -> instances.stream().allMatch(i -> i.config.get().equals("timeout=5s")), clock, 10);
    double configMillis = (clock.now() - t0) * 1000;
    int saw = (int) instances.stream().filter(i -> i.config.get().equals("timeout=5s")).count();
    out.printf("  config timeout=1s -> timeout=5s reached %d of %d instances in %.1f ms%n", saw, n, configMillis);

    Instance victim = instances.get(n / 2);
    double t1 = clock.now();
    cluster.kill(victim.client);
    awaitTrue(() -> !ids(view).contains(victim.id), clock, 30);
    double vanishMillis = (clock.now() - t1) * 1000;
    int left = view.instances().size();
    out.printf("  %s crashed; the view dropped it in %.1f ms: %s%n", victim.id, vanishMillis, ids(view));
    return new Result(n, saw, left, configMillis, vanishMillis);
  }

  private static List<String> ids(ServiceProvider view) {
    return view.instances().stream().map(ServiceInstance::id).toList();
  }

  private static void createIfMissing(Cohort client, String path, String data) throws InterruptedException {
    try {
      client.blocking().createWithParents(path, data.getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
    } catch (NodeExistsException e) {
      // a previous run's node: reuse it
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Timeline clock, double seconds) {
    double deadline = clock.now() + seconds;
    while (!condition.getAsBoolean() && clock.now() < deadline) {
      JobServices.pause(1);
    }
  }

}
