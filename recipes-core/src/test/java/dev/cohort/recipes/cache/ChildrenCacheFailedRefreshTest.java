package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.recipes.RetryPolicy;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A refresh that fails while the connection stays up (a lost reply, not retried) must not lose the
 * change it was reading: a cache that reads only what events name would otherwise never see it.
 */
class ChildrenCacheFailedRefreshTest {
  private final InMemoryFixture fixture = new InMemoryFixture();
  private final AtomicInteger lostReadsOfA = new AtomicInteger();
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

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aChangeWhoseReadFailedIsSeenAtTheNextRefresh(boolean persistent) throws Exception {
    writer = Cohort.builder(fixture.backend()).namespace("/lost").build();
    writer.start();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    doAnswer(inv -> "/lost/svc/a".equals(inv.getArgument(0)) && lostReadsOfA.getAndDecrement() > 0
        ? ForcedReplies.lost(inv.getArgument(0)) : real.getData(inv.getArgument(0), inv.getArgument(1)))
        .when(session).getData(anyString(), any());
    reader = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/lost").retryPolicy(RetryPolicy.none()));
    try (ChildrenCache cache = ChildrenCache.start(reader, "/svc", null, persistent)) {
      await().until(() -> !cache.isRefreshing());

      lostReadsOfA.set(1);
      writer.blocking().setData("/svc/a", bytes("a2"), -1);
      await().until(() -> lostReadsOfA.get() < 0 || (lostReadsOfA.get() == 0 && !cache.isRefreshing()));
      writer.blocking().setData("/svc/b", bytes("b2"), -1);
      await().until(() -> text(cache.children().get("b")).equals("b2") && !cache.isRefreshing());

      assertEquals("a2", text(cache.children().get("a")), "the change whose read was lost");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ChildData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }
}
