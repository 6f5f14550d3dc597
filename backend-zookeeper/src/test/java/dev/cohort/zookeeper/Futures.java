package dev.cohort.zookeeper;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits on SPI futures for tests. */
final class Futures {
  private static final long WAIT_SECONDS = 20;

  private Futures() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete in " + WAIT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for {@code future} to fail and returns its failure, which must be a {@code type}. */
  static <E extends Throwable> E failure(Class<E> type, CompletableFuture<?> future) {
    try {
      Object value = future.get(WAIT_SECONDS, TimeUnit.SECONDS);
      return fail("expected " + type.getSimpleName() + " but the operation succeeded with " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(type, e.getCause(), "unexpected failure " + e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete in " + WAIT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
