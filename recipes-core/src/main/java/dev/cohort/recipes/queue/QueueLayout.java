package dev.cohort.recipes.queue;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a {@link WorkQueue}'s nodes live, shared by its parts.
 *
 * <p>Under the queue's path: {@code pending/} holds the buckets ({@code b-<ten-digit index>}), each
 * a directory of at most about {@link WorkQueue#BUCKET_SIZE} job nodes; {@code claims/} one
 * ephemeral claim node per job being processed; {@code dead/} the dead letters; {@code waiters/}
 * the waiting takes; {@code delayed/} the jobs put with a due time or a priority, in a tree of
 * buckets keyed by priority and due time ({@link DelayedTree}), each job named {@code <protected
 * prefix>job-[p<priority>-]at-<thirteen-digit epoch millis>-<sequence>}; older versions put such
 * jobs directly in {@code delayed/}, where takes still find them. {@code jobs/} is the flat
 * directory of job nodes that versions before the buckets wrote: it is read first, as the oldest
 * bucket, until it is seen empty. Every directory is
 * a container where the backend has them, so an empty queue's directories go; every reader
 * therefore treats a missing directory as an empty one.
 */
final class QueueLayout {
  /** The delayed jobs' directory name, also the prefix of their claims' names (see {@link DelayedTree#label}). */
  static final String DELAYED = "delayed";
  final Cohort client;
  final String path;
  /** The old flat layout's job directory. */
  final String legacyJobs;
  final String pending;
  final String claims;
  final String dead;
  final String waiters;
  /** The delayed jobs: the root of their tree of buckets (and older versions' flat directory). */
  final String delayed;
  /** Jobs per bucket before producers move on to the next one. */
  final int bucketSize;
  /** How the queue's directories are created: containers where the backend has them. */
  final CreateMode dirMode;
  /** Whether the old layout's directory was seen empty or missing: takes no longer read it. */
  volatile boolean legacyDrained;

  QueueLayout(Cohort client, String path, int bucketSize) {
    this.client = client;
    this.path = path;
    this.legacyJobs = Paths.join(path, "jobs");
    this.pending = Paths.join(path, "pending");
    this.claims = Paths.join(path, "claims");
    this.dead = Paths.join(path, "dead");
    this.waiters = Paths.join(path, "waiters");
    this.delayed = Paths.join(path, DELAYED);
    this.bucketSize = bucketSize;
    this.dirMode = client.backend().has(Capability.CONTAINER_NODES) ? CreateMode.CONTAINER : CreateMode.PERSISTENT;
  }

  String bucketPath(long index) {
    return Paths.join(pending, QueueDecisions.bucketName(index));
  }

  /** Creates {@code dir} and its missing ancestors as containers (or plain nodes without them). */
  CompletableFuture<Void> ensureDir(String dir) {
    return client.async().createWithParents(dir, new byte[0], dirMode).handle((created, error) -> {
      Throwable cause = error == null ? null : WorkQueue.unwrap(error);
      if (cause != null && !(cause instanceof NodeExistsException)) {
        throw new java.util.concurrent.CompletionException(cause);
      }
      return null;
    });
  }

  /** The children of {@code dir}, empty if it is missing. */
  CompletableFuture<List<String>> childrenOrEmpty(String dir) {
    return client.async().getChildren(dir, null).handle((children, error) -> {
      if (error == null) {
        return children.names();
      }
      Throwable cause = WorkQueue.unwrap(error);
      if (cause instanceof NoNodeException) {
        return List.<String>of();
      }
      throw new java.util.concurrent.CompletionException(cause);
    });
  }

  /** The bucket indexes among {@code names}, in ascending order. */
  static List<Long> bucketIndexes(List<String> names) {
    return names.stream().mapToLong(QueueDecisions::bucketIndex).filter(i -> i >= 0).sorted().boxed().toList();
  }
}
