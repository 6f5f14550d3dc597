package dev.cohort.etcd;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One session's watch events arrive in the order of the updates, across different watched nodes
 * and kinds of watch (ZooKeeper's per-session order), even when the changes land back to back and
 * etcd is busy with other sessions' writes. Each round sets one-shot watches on several nodes, has
 * another session change them in a shuffled order with its writes pipelined (each committed right
 * after the one before), and checks that the watchers heard them in that order.
 */
class EtcdCrossWatchOrderTest {

  private static final int NODES = 6;
  private static final int ROUNDS = 60;

  private final EtcdFixture fixture = new EtcdFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  @Test
  void eventsOfDifferentWatchesArriveInTheOrderOfTheUpdates() throws Exception {
    Session s = fixture.openSession();
    Session writer = fixture.openSession();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      paths.add("/n" + i);
      get(writer.create("/n" + i, new byte[0], CreateMode.PERSISTENT));
    }
    get(writer.create("/busy", new byte[0], CreateMode.PERSISTENT));
    // Other sessions keep etcd and this JVM busy meanwhile, so the watch streams' deliveries jitter.
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Session busy = fixture.openSession();
      Thread thread = new Thread(() -> {
        while (!stop.get()) {
          try {
            busy.setData("/busy", new byte[16], -1).get(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            return;
          }
        }
      }, "load-" + t);
      thread.setDaemon(true);
      thread.start();
      load.add(thread);
    }
    Random random = new Random(15);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        List<String> heard = new CopyOnWriteArrayList<>();
        for (int i = 0; i < NODES; i++) {
          String path = paths.get(i);
          // Mixed kinds: data watches, exists watches and child watches (changed by a create).
          switch (i % 3) {
            case 0 -> get(s.getData(path, event -> heard.add(event.path())));
            case 1 -> get(s.exists(path, event -> heard.add(event.path())));
            default -> get(s.getChildren(path, event -> heard.add(event.path())));
          }
        }
        List<String> order = new ArrayList<>(paths);
        Collections.shuffle(order, random);
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (String path : order) {
          int i = paths.indexOf(path);
          CompletableFuture<?> w = i % 3 == 2
              ? writer.create(path + "/c" + round, new byte[0], CreateMode.PERSISTENT)
              : writer.setData(path, new byte[] {(byte) round}, -1);
          writes.add(w);
        }
        for (CompletableFuture<?> w : writes) {
          get(w);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> heard.size() >= NODES);
        assertEquals(order, heard, "round " + round);
      }
    } finally {
      stop.set(true);
      for (Thread t : load) {
        t.join(30_000);
      }
    }
  }
}
