package dev.cohort.testing;

/**
 * The fault controls a {@link CohortFixture} may offer. Which ones a backend offers:
 *
 * <table>
 *   <caption>Faults per backend</caption>
 *   <tr><th>fault</th><th>in-memory</th><th>replicated</th><th>ZooKeeper</th><th>etcd</th></tr>
 *   <tr><td>{@link #EXPIRE}</td><td>yes</td><td>yes</td><td>yes</td><td>yes (revokes the lease)</td></tr>
 *   <tr><td>{@link #CRASH}</td><td>yes</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #DISCONNECT}</td><td>yes</td><td>yes</td><td>yes (sessions of the fixture's clients and
 *       of {@code openSession})</td><td>yes (same sessions as on ZooKeeper)</td></tr>
 *   <tr><td>{@link #LOSE_REPLY}</td><td>yes</td><td>yes</td><td>yes (same sessions as
 *       {@link #DISCONNECT})</td><td>no</td></tr>
 *   <tr><td>{@link #VIRTUAL_TIME}</td><td>yes</td><td>no</td><td>no</td><td>no</td></tr>
 *   <tr><td>{@link #REPLICAS}</td><td>no</td><td>yes</td><td>no</td><td>no</td></tr>
 * </table>
 */
public enum Fault {
  /** {@link CohortFixture#expire}: the service ends a session, deleting its ephemerals. */
  EXPIRE,
  /**
   * {@link CohortFixture#crash} and {@link CohortFixture#restart}: a client's process dies; its
   * session is cut off and left to expire, and it opens no new one until the test restarts it.
   */
  CRASH,
  /** {@link CohortFixture#disconnect} and {@link CohortFixture#reconnect}. */
  DISCONNECT,
  /** {@link CohortFixture#loseNextReply}: an operation is applied but its reply never arrives. */
  LOSE_REPLY,
  /** {@link CohortFixture#advanceTime}: session timeouts pass on a virtual clock. */
  VIRTUAL_TIME,
  /** Crash, restart, isolate and partition replicas; find the leader. */
  REPLICAS
}
