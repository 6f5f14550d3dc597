package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencedResource;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LeaderSelector}'s guarantees, on any backend. */
public abstract class LeaderSelectorSuite extends RecipeSuiteSupport {

  private static final String PATH = "/selector";
  private final List<LeaderSelector> selectors = new ArrayList<>();

  @AfterEach
  void closeSelectors() {
    selectors.forEach(LeaderSelector::close);
  }

  private LeaderSelector selector(Cohort client, String id, boolean autoRequeue, LeaderSelectorListener listener) {
    LeaderSelector s = LeaderSelector.builder(client, PATH, listener).id(id).autoRequeue(autoRequeue).build();
    selectors.add(s);
    s.start();
    return s;
  }

  @Test
  void oneCallbackRunsAtATimeAndAutoRequeueRotatesLeadership() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    FencedResource resource = new FencedResource();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    for (int i = 0; i < 3; i++) {
      String id = "p" + i;
      runs.put(id, new AtomicInteger());
      selector(newClient(), id, true, term -> {
        if (running.incrementAndGet() != 1) {
          overlaps.incrementAndGet();
        }
        resource.accept(term.fencingToken());
        runs.get(id).incrementAndGet();
        running.decrementAndGet();
      });
    }
    await().until(() -> runs.values().stream().allMatch(c -> c.get() >= 3));
    assertEquals(0, overlaps.get(), "two callbacks ran at once");
  }

  @Test
  void withoutRequeueAParticipantLeadsOnceUnlessAskedAgain() {
    AtomicInteger runs = new AtomicInteger();
    LeaderSelector s = selector(newClient(), "solo", false, term -> runs.incrementAndGet());
    await().until(() -> runs.get() == 1);
    await().during(Duration.ofMillis(50)).until(() -> runs.get() == 1);
    assertFalse(s.hasLeadership());
    s.requeue();
    await().until(() -> runs.get() == 2);
  }

  @Test
  void requeueBeforeStartIsRefused() {
    LeaderSelector s = LeaderSelector.builder(newClient(), PATH, term -> { }).build();
    selectors.add(s);
    assertThrows(IllegalStateException.class, s::requeue);
    assertEquals(List.of(), childrenOf(PATH));
  }

  @Test
  void theCallbackIsInterruptedWhenTheSessionIsLost() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort client = newClient();
    CountDownLatch leading = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    LeaderSelector s = selector(client, "a", false, term -> {
      leading.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
    });
    assertTrue(leading.await(10, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(s.hasLeadership());
    fixture.expire(client.session());
    assertTrue(interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS), "the callback must be interrupted");
    await().until(() -> !s.hasLeadership());
  }

  @Test
  void theCallbackIsInterruptedOnSuspensionByDefault() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort client = newClient();
    CountDownLatch leading = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    selector(client, "a", false, term -> {
      leading.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    assertTrue(leading.await(10, java.util.concurrent.TimeUnit.SECONDS));
    fixture.disconnect(client.session());
    assertTrue(interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS));
    fixture.reconnect(client.session());
  }

  @Test
  void closeInterruptsTheLeaderAndLetsTheNextOneLead() throws Exception {
    CountDownLatch aLeads = new CountDownLatch(1);
    CountDownLatch bLeads = new CountDownLatch(1);
    LeaderSelector a = selector(newClient(), "a", false, term -> {
      aLeads.countDown();
      new CountDownLatch(1).await();
    });
    assertTrue(aLeads.await(10, java.util.concurrent.TimeUnit.SECONDS));
    selector(newClient(), "b", false, term -> bLeads.countDown());
    a.close();
    assertTrue(bLeads.await(10, java.util.concurrent.TimeUnit.SECONDS));
  }

  @Test
  void participantsAndLeaderNameTheSelectorsInLineOrder() throws Exception {
    CountDownLatch aLeads = new CountDownLatch(1);
    LeaderSelector a = selector(newClient(), "a", false, term -> {
      aLeads.countDown();
      new CountDownLatch(1).await();
    });
    assertTrue(aLeads.await(10, java.util.concurrent.TimeUnit.SECONDS));
    LeaderSelector b = selector(newClient(), "b", false, term -> { });
    await().until(() -> b.participants().size() == 2);
    assertEquals(List.of(new Participant("a", true), new Participant("b", false)), b.participants());
    assertEquals(a.participants(), b.participants());
    assertEquals("a", b.leader().orElseThrow().id());
  }

  @Test
  void leadershipAsyncCompletesWithTheTermTheCallbackRunsIn() throws Exception {
    java.util.concurrent.CompletableFuture<LeadershipTerm> handed = new java.util.concurrent.CompletableFuture<>();
    CountDownLatch release = new CountDownLatch(1);
    LeaderSelector s = LeaderSelector.builder(newClient(), PATH, term -> {
      handed.complete(term);
      release.await();
    }).id("a").build();
    selectors.add(s);
    java.util.concurrent.CompletableFuture<LeadershipTerm> leads = s.leadershipAsync();
    assertFalse(leads.isDone(), "not started, so not leading");
    s.start();
    assertEquals(handed.get(10, java.util.concurrent.TimeUnit.SECONDS), leads.get(10, java.util.concurrent.TimeUnit.SECONDS));
    release.countDown();
  }

  @Test
  void cancellingLeadershipAsyncWithdrawsTheSelectorAndDeletesItsNode() throws Exception {
    CountDownLatch aLeads = new CountDownLatch(1);
    LeaderSelector a = selector(newClient(), "a", false, term -> {
      aLeads.countDown();
      new CountDownLatch(1).await();
    });
    assertTrue(aLeads.await(10, java.util.concurrent.TimeUnit.SECONDS));
    AtomicInteger bRuns = new AtomicInteger();
    LeaderSelector b = selector(newClient(), "b", true, term -> bRuns.incrementAndGet());
    java.util.concurrent.CompletableFuture<LeadershipTerm> bLeads = b.leadershipAsync();
    awaitChildren(PATH, 2);

    assertTrue(bLeads.cancel(true));

    awaitChildren(PATH, 1);
    a.close();
    awaitChildren(PATH, 0);
    assertEquals(0, bRuns.get(), "b withdrew, so it never led");
  }
}
