package dev.cohort.recipes.queue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One job a worker has claimed from a {@link WorkQueue}: its payload and the proof of the claim.
 * Hand it back to {@link WorkQueue#complete} or {@link WorkQueue#fail} of the queue it was taken
 * from (another queue refuses it), once: the queue acts on it only while the claim is still this
 * one, and refuses a job already completed, requeued or dead-lettered.
 *
 * <p>The {@linkplain #fencingToken() fencing token} is the zxid of the transaction that made the
 * claim (the claim node's czxid): a later claim of the same job, by anyone, has a larger one, so a
 * resource the job writes to can reject a worker that lost its claim.
 */
public final class Job {

  /** Node data: a format byte, the attempt count, then the payload. */
  static final int HEADER_BYTES = 5;
  private static final byte FORMAT = 1;

  private final String id;
  /** The job node's path, relative to the client's namespace. */
  private final String jobPath;
  private final byte[] payload;
  private final int attempts;
  private final FencingToken fencingToken;
  /** The job node's version right after the claim; any later claim changes it. */
  private final int claimedVersion;
  /** The session whose ephemeral claim node holds the job; the claim ends with it. */
  private final long claimSession;
  /** The claim node's data: written by this claim and no other, in any process. */
  private final byte[] claimToken;
  /** The queue the job was taken from: its client and path. */
  private final Cohort client;
  private final String queuePath;
  /**
   * What handed this job back with effect ("completed", "requeued", "dead-lettered"), or null. A
   * claim's node is gone once it took effect, so a second hand-back could not tell its own
   * transaction from the first: it is refused instead.
   */
  private volatile String settledAs;

  Job(String id, String jobPath, byte[] payload, int attempts, FencingToken fencingToken, int claimedVersion,
      long claimSession, byte[] claimToken, Cohort client, String queuePath) {
    this.id = Objects.requireNonNull(id, "id");
    this.jobPath = Objects.requireNonNull(jobPath, "jobPath");
    this.payload = payload;
    this.attempts = attempts;
    this.fencingToken = fencingToken;
    this.claimedVersion = claimedVersion;
    this.claimSession = claimSession;
    this.claimToken = claimToken;
    this.client = client;
    this.queuePath = queuePath;
  }

  /**
   * The job's name within the queue, unique among its pending jobs (also the name of its claim
   * node); it changes when a failed job is requeued. For a job in a bucket it is the bucket's name,
   * a dash and the job node's name; for a job of the flat layout older versions wrote, the job
   * node's name.
   */
  public String id() {
    return id;
  }

  /** The job node's path. */
  String jobPath() {
    return jobPath;
  }

  /** The job's payload, a copy. */
  public byte[] payload() {
    return payload.clone();
  }

  /** How many times this job failed before (0 on the first try). */
  public int attempts() {
    return attempts;
  }

  /** The claim's fencing token. */
  public FencingToken fencingToken() {
    return fencingToken;
  }

  int claimedVersion() {
    return claimedVersion;
  }

  long claimSession() {
    return claimSession;
  }

  byte[] claimToken() {
    return claimToken;
  }

  Cohort client() {
    return client;
  }

  String queuePath() {
    return queuePath;
  }

  /** Refuses a job already handed back with effect. */
  void requireUnsettled() {
    String how = settledAs;
    if (how != null) {
      throw new IllegalStateException("job " + id + " was already " + how + ": its claim is over");
    }
  }

  void settled(String how) {
    settledAs = how;
  }

  byte[] payloadUnsafe() {
    return payload;
  }

  @Override
  public String toString() {
    return "Job[" + id + ", " + payload.length + " bytes, attempts " + attempts + ", token " + fencingToken.value() + "]";
  }

  static byte[] encode(int attempts, byte[] payload) {
    return ByteBuffer.allocate(HEADER_BYTES + payload.length).put(FORMAT).putInt(attempts).put(payload).array();
  }

  /** The attempt count in a job node's data; the data must come from {@link #encode}. */
  static int attemptsOf(byte[] data) {
    requireFormat(data);
    return ByteBuffer.wrap(data, 1, 4).getInt();
  }

  static byte[] payloadOf(byte[] data) {
    requireFormat(data);
    byte[] payload = new byte[data.length - HEADER_BYTES];
    System.arraycopy(data, HEADER_BYTES, payload, 0, payload.length);
    return payload;
  }

  private static void requireFormat(byte[] data) {
    if (data.length < HEADER_BYTES || data[0] != FORMAT) {
      throw new IllegalArgumentException("not a job node written by WorkQueue (" + data.length + " bytes)");
    }
  }
}
