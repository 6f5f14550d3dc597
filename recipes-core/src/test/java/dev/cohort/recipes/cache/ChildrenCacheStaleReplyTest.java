package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which of two reads of one child a {@link ChildrenCache} keeps: an older reply never wins. */
class ChildrenCacheStaleReplyTest {

  private static ChildData read(long czxid, long mzxid, int version) {
    return new ChildData("/svc/a", new byte[] {(byte) version},
        new Stat(czxid, mzxid, czxid, 0, 0, version, 0, 0, 0, 1, 0));
  }

  @Test
  void aReplyAboutAnOlderStateOfTheSameNodeIsIgnored() {
    ChildData cached = read(10, 20, 2);
    assertSame(cached, ChildrenCache.newer(cached, read(10, 15, 1)));
    ChildData fresh = read(10, 25, 3);
    assertSame(fresh, ChildrenCache.newer(cached, fresh));
  }

  @Test
  void aReplyAboutAnEarlierIncarnationIsIgnoredAndALaterOneWins() {
    ChildData cached = read(10, 20, 2);
    assertSame(cached, ChildrenCache.newer(cached, read(5, 30, 7)), "created earlier: a deleted node");
    ChildData recreated = read(40, 40, 0);
    assertSame(recreated, ChildrenCache.newer(cached, recreated), "re-created: version restarts at 0");
  }

  @Test
  void anEqualReplyReplacesTheCachedOne() {
    ChildData cached = read(10, 20, 2);
    ChildData same = read(10, 20, 2);
    assertSame(same, ChildrenCache.newer(cached, same));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void anOlderReplyArrivingLateDoesNotTakeTheCacheBack(boolean persistent) throws Exception {
    try (InMemoryFixture fixture = new InMemoryFixture()) {
      Cohort writer = Cohort.builder(fixture.backend()).namespace("/stale").build();
      writer.start();
      writer.blocking().createWithParents("/svc/a", "v0".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
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
      Cohort reader = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/stale"));
      List<String> seen = new CopyOnWriteArrayList<>();
      try (writer; reader;
          ChildrenCache cache = ChildrenCache.start(reader, "/svc",
              (type, child) -> seen.add(type + " " + new String(child.data(), StandardCharsets.UTF_8)), persistent)) {
        writer.blocking().setData("/svc/a", "v1".getBytes(StandardCharsets.UTF_8), -1);
        await().until(() -> seen.size() == 2 && !cache.isRefreshing());

        replayFirst.set(true);
        writer.blocking().setData("/svc/a", "v2".getBytes(StandardCharsets.UTF_8), -1);
        await().until(() -> !replayFirst.get() && !cache.isRefreshing());

        assertEquals("v1", new String(cache.children().get("a").data(), StandardCharsets.UTF_8), "not back to v0");
        assertEquals(List.of("ADDED v0", "UPDATED v1"), seen);
      }
    }
  }
}
