package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.atMost;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.verify;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A container parent can be removed by the service between the create of the parent and the create
 * of the child: the child's create then finds no parent, and the client creates the parent again, a
 * bounded number of times. Here the removal is forced: the parent is deleted right after its create.
 */
class ContainerParentRemovedBeforeTheCreateTest {
  private static final String PARENT = "/d";

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final Session real = fixture.openSession(Duration.ofSeconds(10));
  private final Session session = ForcedReplies.over(real);
  private final Session remover = fixture.openSession(Duration.ofSeconds(10));
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  /** Makes the first {@code times} container creates of the parent vanish as soon as they apply. */
  private AtomicInteger removeParentAfterCreate(int times) {
    AtomicInteger creates = new AtomicInteger();
    doAnswer(inv -> {
      CompletableFuture<Created> created = real.create(PARENT, inv.getArgument(1), inv.getArgument(2));
      if (creates.incrementAndGet() > times) {
        return created;
      }
      return created.thenCompose(c -> remover.delete(PARENT, -1).thenApply(ignored -> c));
    }).when(session).create(eq(PARENT), any(byte[].class), eq(CreateMode.CONTAINER));
    return creates;
  }

  @Test
  void createWithParentsCreatesTheRemovedParentAgain() throws Exception {
    AtomicInteger parentCreates = removeParentAfterCreate(1);
    client = ForcedReplies.clientOn(fixture, session, b -> b);

    Created created = client.async().createWithParents("/d/x", new byte[0], CreateMode.EPHEMERAL).get(10, TimeUnit.SECONDS);

    assertEquals("/d/x", created.path());
    assertEquals(2, parentCreates.get());
  }

  @Test
  void protectedCreateCreatesTheRemovedParentAgain() throws Exception {
    AtomicInteger parentCreates = removeParentAfterCreate(1);
    client = ForcedReplies.clientOn(fixture, session, b -> b);

    OwnedNode node = client.async().createProtected(PARENT, "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL)
        .get(10, TimeUnit.SECONDS);

    assertTrue(node.path().startsWith("/d/_c_"), node.path());
    assertEquals(2, parentCreates.get());
  }

  @Test
  void aParentRemovedEveryTimeFailsTheCreateWithNoNodeInsteadOfLoopingForever() throws Exception {
    AtomicInteger parentCreates = removeParentAfterCreate(Integer.MAX_VALUE);
    client = ForcedReplies.clientOn(fixture, session, b -> b);

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.async().createWithParents("/d/x", new byte[0], CreateMode.EPHEMERAL).get(10, TimeUnit.SECONDS));

    assertInstanceOf(NoNodeException.class, e.getCause());
    verify(session, atLeast(2)).create(eq(PARENT), any(byte[].class), eq(CreateMode.CONTAINER));
    verify(session, atMost(6)).create(eq(PARENT), any(byte[].class), eq(CreateMode.CONTAINER));
    assertTrue(parentCreates.get() <= 6);
  }
}
