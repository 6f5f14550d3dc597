package dev.cohort.recipes.queue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The queue's pure decisions: which jobs a worker tries to claim, in which order, and which node a
 * waiting worker watches. No I/O, no clock; every method is deterministic.
 */
final class QueueDecisions {

  /** Prefix of job node names; the service appends a ten-digit sequence. */
  static final String JOB_PREFIX = "job-";

  /** Prefix of waiter node names. */
  static final String WAITER_PREFIX = "w-";

  /** Prefix of bucket names; a ten-digit index follows. */
  static final String BUCKET_PREFIX = "b-";

  /** The name of bucket {@code index}: its prefix and the index in ten digits, so names sort by index. */
  static String bucketName(long index) {
    if (index < 0 || index > 9_999_999_999L) {
      throw new IllegalArgumentException("bucket index out of range: " + index);
    }
    return padded(BUCKET_PREFIX, index, 10);
  }

  /** The index of a bucket's name, or -1 for a name that is not a bucket's. */
  /**
   * {@code prefix} followed by {@code value} (at least 0, below 10^digits) in {@code digits}
   * decimal digits, zero-padded. Not String.format: a put names its bucket with this, and
   * String.format cost a put on the in-memory backend about a fifth of its time (QueueThroughput).
   */
  static String padded(String prefix, long value, int digits) {
    char[] chars = new char[prefix.length() + digits];
    prefix.getChars(0, prefix.length(), chars, 0);
    long rest = value;
    for (int i = chars.length - 1; i >= prefix.length(); i--) {
      chars[i] = (char) ('0' + rest % 10);
      rest /= 10;
    }
    return new String(chars);
  }

  static long bucketIndex(String name) {
    if (!name.startsWith(BUCKET_PREFIX) || name.length() != BUCKET_PREFIX.length() + 10) {
      return -1;
    }
    long value = sequence(name);
    return value == Long.MAX_VALUE ? -1 : value;
  }

  /**
   * The name of the claim node (and the id) of job {@code job} in bucket {@code bucket}: the
   * bucket's name, a dash and the job's; for a job of the old flat layout ({@code bucket} null) the
   * job's name, as older versions named it.
   */
  static String claimName(String bucket, String job) {
    return bucket == null ? job : bucket + "-" + job;
  }

  private QueueDecisions() {}

  /** Marks a delayed job's due time in its name: thirteen digits of epoch millis and a dash follow. */
  static final String DUE_MARK = "at-";

  /** The largest due time a delayed job's name can carry: thirteen digits of epoch millis. */
  static final long MAX_DUE_MILLIS = 9_999_999_999_999L;

  /**
   * The name prefix of a delayed (or prioritized) job due at {@code dueMillis} with {@code
   * priority}: {@code job-at-<due>-}, or {@code job-p<priority>-at-<due>-} above priority 0; the
   * service appends a sequence.
   */
  static String delayedPrefix(long dueMillis, int priority) {
    if (dueMillis < 0 || dueMillis > MAX_DUE_MILLIS) {
      throw new IllegalArgumentException("due time out of range: " + dueMillis);
    }
    if (priority < PutOptions.MIN_PRIORITY || priority > PutOptions.MAX_PRIORITY) {
      throw new IllegalArgumentException("priority out of range: " + priority);
    }
    return JOB_PREFIX + (priority > 0 ? "p" + priority + "-" : "") + padded(DUE_MARK, dueMillis, 13) + "-";
  }

  /** The priority a delayed job's name carries: 0 without a mark (or for a name that is not one). */
  static int priorityOf(String name) {
    int at = name.lastIndexOf("-" + DUE_MARK);
    if (at < 3 || name.charAt(at - 2) != 'p' || !name.startsWith(JOB_PREFIX, at - 2 - JOB_PREFIX.length())) {
      return 0;
    }
    char digit = name.charAt(at - 1);
    return digit >= '0' && digit <= '9' ? digit - '0' : 0;
  }

  /** The due time a delayed job's name carries, or {@code Long.MAX_VALUE} for a name that carries none. */
  static long dueOf(String name) {
    int at = name.lastIndexOf("-" + DUE_MARK) + 1;
    int start = at + DUE_MARK.length();
    if (at <= 0 || name.length() < start + 14 || name.charAt(start + 13) != '-') {
      return Long.MAX_VALUE;
    }
    long value = 0;
    for (int i = start; i < start + 13; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return Long.MAX_VALUE;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * The sequence number of a sequential node's name (its last ten digits), or {@code
   * Long.MAX_VALUE} for a name that carries none, so foreign nodes sort last and are never picked.
   */
  static long sequence(String name) {
    int length = name.length();
    if (length < 10) {
      return Long.MAX_VALUE;
    }
    long value = 0;
    for (int i = length - 10; i < length; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return Long.MAX_VALUE;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * The order in which a worker tries to claim jobs from one snapshot. Workers that read the same
   * snapshot would all race for the oldest job; instead the oldest jobs are dealt round-robin into
   * {@code spread} shares, and a worker tries its own share first ({@code salt mod spread}), oldest
   * first, then every other job, oldest first. So every unclaimed job is offered exactly once, the
   * first job offered is among the {@code spread} oldest, and workers with different salts start
   * on different jobs. With {@code spread} 1 the order is plain oldest-first.
   *
   * @param jobs names of the job nodes, in any order; names without a sequence suffix are ignored
   * @param claimed names of jobs that have a claim node
   * @param salt any number that differs between workers (e.g. a worker index)
   * @param spread how many shares to deal the jobs into; at least 1
   */
  static List<String> claimOrder(Collection<String> jobs, Set<String> claimed, long salt, int spread) {
    if (spread < 1) {
      throw new IllegalArgumentException("spread must be at least 1: " + spread);
    }
    // Each name's sequence is parsed once, not at every comparison: a listing holds up to a bucket.
    List<Sequenced> sequenced = new ArrayList<>(jobs.size());
    for (String job : jobs) {
      long sequence = sequence(job);
      if (sequence != Long.MAX_VALUE && job.contains(JOB_PREFIX) && !claimed.contains(job)) {
        sequenced.add(new Sequenced(sequence, job));
      }
    }
    sequenced.sort(BY_SEQUENCE);
    List<String> open = new ArrayList<>(sequenced.size());
    for (Sequenced job : sequenced) {
      open.add(job.name());
    }
    if (spread == 1) {
      return open;
    }
    int share = (int) Math.floorMod(salt, (long) spread);
    List<String> ordered = new ArrayList<>(open.size());
    List<String> rest = new ArrayList<>(open.size());
    for (int i = 0; i < open.size(); i++) {
      (i % spread == share ? ordered : rest).add(open.get(i));
    }
    ordered.addAll(rest);
    return ordered;
  }

  /** A job name with its sequence, parsed once. */
  private record Sequenced(long sequence, String name) {}

  private static final Comparator<Sequenced> BY_SEQUENCE =
      Comparator.comparingLong(Sequenced::sequence).thenComparing(Sequenced::name);

  /**
   * What a waiting worker watches so that a new job wakes a bounded number of workers: the oldest
   * waiter watches the job list (it is the one woken by a put), every other waiter watches the
   * waiter just before it (woken only when that one leaves the line). Empty when {@code me} is the
   * oldest waiter (watch the jobs); otherwise the predecessor's name. If {@code me} is missing from
   * {@code waiters} the caller's waiter node is gone: it must re-register.
   *
   * @throws IllegalArgumentException if {@code me} is not among {@code waiters}
   */
  static Optional<String> waiterToWatch(Collection<String> waiters, String me) {
    List<String> line = new ArrayList<>(waiters);
    line.sort(Comparator.comparingLong(QueueDecisions::sequence).thenComparing(name -> name));
    int index = line.indexOf(me);
    if (index < 0) {
      throw new IllegalArgumentException("waiter " + me + " is not in the line " + line);
    }
    return index == 0 ? Optional.empty() : Optional.of(line.get(index - 1));
  }
}
