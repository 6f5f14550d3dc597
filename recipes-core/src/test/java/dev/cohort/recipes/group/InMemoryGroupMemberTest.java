package dev.cohort.recipes.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.tck.BackendFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The group membership suite on the in-memory backend, plus regressions that need its control. */
class InMemoryGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected dev.cohort.spi.TimeSource clientClock() {
    return ((InMemoryFixture) fixture).time();
  }

  /**
   * A listener executor that runs tasks on the submitting thread makes the view cache's first
   * event run before the view's start returns, which is the order a real server produced when
   * join still assigned its view afterwards.
   */
  @Test
  void aMemberIsToldOfItsOwnJoinEvenWhenTheViewsFirstEventRunsBeforeJoinReturns() throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create();
        Cohort client = Cohort.builder(backend).listenerExecutor(Runnable::run).build()) {
      client.start();
      List<String> joined = new CopyOnWriteArrayList<>();
      GroupListener listener = new GroupListener() {
        @Override
        public void joined(Member member) {
          joined.add(member.id() + "=" + new String(member.payload(), StandardCharsets.UTF_8));
        }

        @Override
        public void left(Member member) {
          joined.add("left " + member.id());
        }

        @Override
        public void updated(Member member) {
          joined.add("updated " + member.id());
        }
      };
      try (GroupMember a = GroupMember.join(client, "/groups/early", "a", "a1".getBytes(StandardCharsets.UTF_8),
          listener)) {
        await().until(() -> !joined.isEmpty());
        assertEquals(List.of("a=a1"), joined, "told of its own join exactly once");
        assertEquals(Set.of("a"), a.members().keySet());
      }
    }
  }
}
