package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.testing.OwnershipHistory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code locks}: N waiters queue for one {@link DistributedLock}. Each release wakes only the next
 * waiter (each waiter watches its predecessor), so the service sends about one watch notification
 * per release. For contrast the same waiters then use a naive lock on which everyone watches the
 * one lock node: every release wakes them all (the herd).
 */
@Command(name = "locks", mixinStandardHelpOptions = true,
    description = {"Herd avoidance: N waiters take one DistributedLock in turn. Counts the watch "
        + "notifications the service sends per release (about 1), against a naive lock where every "
        + "waiter watches the lock node (about N per release). Fencing tokens grow with every holder.",
        "Exit code 0 if holders never overlapped and tokens always grew. Needs a backend that counts "
        + "watch events (not --zookeeper) for the notification figures."})
final class LocksCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--waiters", paramLabel = "N", defaultValue = "20",
      description = "Clients contending for the lock (2..200, default: ${DEFAULT-VALUE}).")
  int waiters;

  /** Notifications per release for both locks (-1 where the backend does not count), and the check. */
  record Result(double recipePerRelease, double naivePerRelease, int acquisitions, boolean exclusive) {}

  @Override
  public Integer call() throws Exception {
    backend.validate();
    CommonOptions.requireRange(spec, "--waiters", waiters, 2, 200);
    try (DemoCluster cluster = DemoCluster.start(backend)) {
      Result r = run(cluster, spec.commandLine().getOut(), waiters);
      spec.commandLine().getOut().println(r.exclusive()
          ? "OK: one holder at a time, fencing tokens growing, " + r.acquisitions() + " acquisitions."
          : "FAILED: the lock history broke its guarantee (see above).");
      return r.exclusive() ? 0 : 1;
    }
  }

  static Result run(DemoCluster cluster, PrintWriter out, int waiters) throws InterruptedException, ExecutionException {
    out.printf("locks: %d waiters on one lock, on the %s%n", waiters, cluster.describe());
    List<Cohort> clients = new ArrayList<>();
    for (int i = 0; i < waiters; i++) {
      clients.add(cluster.newClient());
    }
    OwnershipHistory history = new OwnershipHistory("lock /locks/demo");
    ExecutorService pool = Executors.newFixedThreadPool(waiters);
    try {
      OptionalInt before = cluster.watchEvents();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < waiters; i++) {
        DistributedLock lock = new DistributedLock(clients.get(i), "/locks/demo");
        String who = "waiter-" + i;
        all.add(CompletableFuture.runAsync(() -> holdOnce(lock, who, history, go), pool));
      }
      go.countDown();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
      double recipe = perRelease(before, cluster.watchEvents(), waiters);

      before = cluster.watchEvents();
      List<CompletableFuture<Void>> naive = new ArrayList<>();
      for (int i = 0; i < waiters; i++) {
        Cohort c = clients.get(i);
        naive.add(CompletableFuture.runAsync(() -> naiveHoldOnce(c), pool));
      }
      CompletableFuture.allOf(naive.toArray(CompletableFuture[]::new)).get();
      double herd = perRelease(before, cluster.watchEvents(), waiters);

      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"DistributedLock (watch the predecessor)", String.valueOf(waiters), fmt(recipe)});
      rows.add(new String[] {"naive lock (everyone watches the lock node)", String.valueOf(waiters), fmt(herd)});
      Table.print(out, new String[] {"lock", "waiters", "watch notifications per release"}, rows);
      boolean exclusive;
      try {
        history.check();
        exclusive = true;
      } catch (AssertionError e) {
        out.println(e.getMessage());
        exclusive = false;
      }
      return new Result(recipe, herd, history.acquisitions(), exclusive);
    } finally {
      pool.shutdownNow();
    }
  }

  private static String fmt(double perRelease) {
    return perRelease < 0 ? "n/a (backend does not count)" : String.format("%.2f", perRelease);
  }

  private static double perRelease(OptionalInt before, OptionalInt after, int releases) {
    if (before.isEmpty() || after.isEmpty()) {
      return -1;
    }
    return (after.getAsInt() - before.getAsInt()) / (double) releases;
  }

  private static void holdOnce(DistributedLock lock, String who, OwnershipHistory history, CountDownLatch go) {
    try {
      go.await();
      FencingToken token = lock.acquire();
      history.acquired("/locks/demo", who, token.value());
      history.released("/locks/demo", who, token.value());
      lock.release();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The lock the recipe avoids: try to create the lock node; if it exists, watch it and retry
   * when it changes. Every waiter is woken by every release.
   */
  private static void naiveHoldOnce(Cohort client) {
    try {
      while (true) {
        try {
          client.blocking().create("/locks/naive", new byte[0], CreateMode.EPHEMERAL);
          client.blocking().delete("/locks/naive", -1);
          return;
        } catch (NodeExistsException e) {
          CountDownLatch changed = new CountDownLatch(1);
          if (client.blocking().exists("/locks/naive", event -> changed.countDown()) != null) {
            changed.await();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
