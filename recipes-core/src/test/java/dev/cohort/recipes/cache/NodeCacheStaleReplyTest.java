package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A reply about an older state of the node than the one a NodeCache shows never takes it back. */
class NodeCacheStaleReplyTest {
  private final InMemoryFixture fixture = new InMemoryFixture();
  private Cohort writer;
  private Cohort reader;

  @AfterEach
  void tearDown() {
    if (reader != null) {
      reader.close();
    }
    if (writer != null) {
      writer.close();
    }
    fixture.close();
  }

  @Test
  void anOlderReplyArrivingLateIsIgnored() throws Exception {
    writer = Cohort.builder(fixture.backend()).namespace("/stale").build();
    writer.start();
    writer.blocking().createWithParents("/config", bytes("v0"), CreateMode.PERSISTENT);
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicReference<NodeData> first = new AtomicReference<>();
    AtomicBoolean replayFirst = new AtomicBoolean();
    doAnswer(inv -> {
      CompletableFuture<NodeData> reply = real.getData(inv.getArgument(0), inv.getArgument(1));
      if (replayFirst.getAndSet(false)) {
        return reply.thenApply(ignored -> first.get()); // the watch is set; the reply is an old one
      }
      return reply.thenApply(d -> {
        first.compareAndSet(null, d);
        return d;
      });
    }).when(session).getData(anyString(), any());
    reader = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/stale"));
    List<String> seen = new CopyOnWriteArrayList<>();
    try (NodeCache cache = NodeCache.start(reader, "/config", c -> seen.add(c.map(d -> text(d)).orElse("-")))) {
      writer.blocking().setData("/config", bytes("v1"), -1);
      await().until(() -> seen.contains("v1") && !cache.isRefreshing());

      replayFirst.set(true);
      writer.blocking().setData("/config", bytes("v2"), -1);
      await().until(() -> !replayFirst.get() && !cache.isRefreshing());

      assertEquals("v1", text(cache.current().orElseThrow()), "not back to v0");
      assertEquals(List.of("v0", "v1"), seen);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ChildData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }
}
