package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The blocking operations.
 *
 * <p>A plain operation (create, delete, exists, getData, setData, getChildren, sync, multi) makes
 * its first attempt on the caller's thread, through the {@linkplain Session#blocking() blocking
 * view} of the current session: a backend whose client can wake the waiting thread directly saves a
 * hand-off per operation. If that attempt fails with an error the retry policy retries (an outcome
 * unknown), the operation continues on the asynchronous retry path from the first retry on, bound to
 * the same session, and the caller waits for it. Namespacing comes from the same {@link
 * Operations.Call} the asynchronous form runs, so both forms send the same requests.
 *
 * <p>A protected create sends its first create the same way and continues, after a failure, on
 * the asynchronous steps of {@link AsyncOps#createProtected}. The other compound operations
 * (createWithParents, deleteIfOwned) wait, interruptibly, for their asynchronous twins.
 */
final class Blocking implements BlockingOps {
  private final Cohort client;
  private final Operations operations;

  Blocking(Cohort client, Operations operations) {
    this.client = client;
    this.operations = operations;
  }

  /**
   * Runs {@code call}: the first attempt here, then, after a failure the policy retries, the
   * asynchronous retries. A call that must not be retried throws its first failure.
   */
  private <T> T run(Operations.Call<T> call) throws InterruptedException {
    client.checkUsable();
    Session s = client.session();
    long startNanos = client.timeSource().nanoTime();
    try {
      return call.blocking().apply(s.blocking());
    } catch (CoordinationException first) {
      if (!call.retryable()) {
        throw first;
      }
      return await(operations.retryAfter(s, call.async(), first, startNanos));
    }
  }

  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw Operations.asUnchecked(e.getCause());
    }
  }

  @Override
  public Created create(String path, byte[] data, CreateMode mode) throws InterruptedException {
    return run(operations.createCall(path, data, mode));
  }

  @Override
  public Created createWithParents(String path, byte[] data, CreateMode mode) throws InterruptedException {
    client.checkUsable();
    return await(operations.createWithParents(path, data, mode));
  }

  @Override
  public OwnedNode createProtected(String parent, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    client.checkUsable();
    return operations.createProtectedBlocking(parent, name, data, mode);
  }

  @Override
  public OwnedNode createProtectedReplacing(OwnedNode released, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    client.checkUsable();
    return operations.createProtectedReplacingBlocking(released, name, data, mode);
  }

  @Override
  public void delete(String path, int version) throws InterruptedException {
    run(operations.deleteCall(path, version));
  }

  @Override
  public boolean deleteIfOwned(OwnedNode node) throws InterruptedException {
    return deleteIfOwned(node, null);
  }

  @Override
  public boolean deleteIfOwned(OwnedNode node, byte[] finalData) throws InterruptedException {
    return await(client.async().deleteIfOwned(node, finalData)); // its checks are the async form's
  }

  @Override
  public Stat exists(String path, Watcher watcher) throws InterruptedException {
    return run(operations.existsCall(path, watcher));
  }

  @Override
  public NodeData getData(String path, Watcher watcher) throws InterruptedException {
    return run(operations.getDataCall(path, watcher));
  }

  @Override
  public Stat setData(String path, byte[] data, int version) throws InterruptedException {
    return run(operations.setDataCall(path, data, version));
  }

  @Override
  public Children getChildren(String path, Watcher watcher) throws InterruptedException {
    return run(operations.getChildrenCall(path, watcher));
  }

  @Override
  public void sync(String path) throws InterruptedException {
    run(operations.syncCall(path));
  }

  @Override
  public List<OpResult> multi(List<Op> ops) throws InterruptedException {
    return run(operations.multiCall(ops));
  }
}
