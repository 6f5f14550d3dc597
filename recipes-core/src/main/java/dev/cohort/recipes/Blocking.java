package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The blocking operations: each waits, interruptibly, for its asynchronous twin. */
final class Blocking implements BlockingOps {
  private final AsyncOps async;

  Blocking(AsyncOps async) {
    this.async = async;
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
    return await(async.create(path, data, mode));
  }

  @Override
  public Created createWithParents(String path, byte[] data, CreateMode mode) throws InterruptedException {
    return await(async.createWithParents(path, data, mode));
  }

  @Override
  public OwnedNode createProtected(String parent, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    return await(async.createProtected(parent, name, data, mode));
  }

  @Override
  public void delete(String path, int version) throws InterruptedException {
    await(async.delete(path, version));
  }

  @Override
  public boolean deleteIfOwned(OwnedNode node) throws InterruptedException {
    return await(async.deleteIfOwned(node));
  }

  @Override
  public Stat exists(String path, Watcher watcher) throws InterruptedException {
    return await(async.exists(path, watcher));
  }

  @Override
  public NodeData getData(String path, Watcher watcher) throws InterruptedException {
    return await(async.getData(path, watcher));
  }

  @Override
  public Stat setData(String path, byte[] data, int version) throws InterruptedException {
    return await(async.setData(path, data, version));
  }

  @Override
  public Children getChildren(String path, Watcher watcher) throws InterruptedException {
    return await(async.getChildren(path, watcher));
  }

  @Override
  public void sync(String path) throws InterruptedException {
    await(async.sync(path));
  }

  @Override
  public List<OpResult> multi(List<Op> ops) throws InterruptedException {
    return await(async.multi(ops));
  }
}
