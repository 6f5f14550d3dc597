package dev.cohort.etcd;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One session's one-shot watches, each its own etcd watch, fire in the order of the changes once
 * the reads that set them have completed: the TCK's ordering case, repeated with the writes sent
 * right behind the reads, where an etcd watch still being created when its node changes would
 * deliver that change late (etcd serves a watch that starts in the past from a catch-up loop).
 */
class EtcdWatchOrderTest {

  private final EtcdFixture fixture = new EtcdFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void watchesSetByCompletedReadsFireInTheOrderOfTheChanges() throws Exception {
    Session s = fixture.openSession();
    Session writer = fixture.openSession();
    List<String> names = List.of("a", "b", "c", "d", "e");
    List<String> changeOrder = List.of("e", "a", "d", "b", "c");
    for (int round = 0; round < 40; round++) {
      String dir = "/r" + round;
      get(writer.create(dir, new byte[0], CreateMode.PERSISTENT));
      for (String n : names) {
        get(writer.create(dir + "/" + n, new byte[0], CreateMode.PERSISTENT));
      }
      List<String> heard = new CopyOnWriteArrayList<>();
      for (String n : names) {
        get(s.getData(dir + "/" + n, event -> heard.add(event.path())));
      }
      for (String n : changeOrder) {
        writer.setData(dir + "/" + n, new byte[] {1}, -1); // pipelined: one session keeps issue order
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> heard.size() == names.size());
      assertEquals(changeOrder.stream().map(n -> dir + "/" + n).toList(), heard, "round " + round);
    }
  }
}
