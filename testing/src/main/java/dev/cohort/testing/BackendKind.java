package dev.cohort.testing;

/** Which backend a {@link CohortFixture} runs a test on. */
public enum BackendKind {
  /**
   * One tree in this JVM on a virtual clock: ready in well under a millisecond, every session fault
   * available, session timeouts and the fixture clients' recipe timeouts pass only when the test
   * advances time. The default.
   */
  IN_MEMORY,
  /**
   * N replicas in this JVM with majority commit, on real time: stale reads, leader failover and
   * session moves happen as they would across machines; replicas can be crashed and partitioned.
   */
  REPLICATED,
  /**
   * A real Apache ZooKeeper server in this JVM on 127.0.0.1 (a free port), started by the first
   * such fixture and shared by the later ones, each working in a namespace (chroot) of its own that
   * is deleted when it closes. Needs the test dependency {@code dev.cohort:testing-zookeeper}, which
   * brings the backend, the server and what the server needs at run time.
   */
  ZOOKEEPER,
  /**
   * A real etcd server process (the {@code etcd} binary, 3.4 or later) on 127.0.0.1, started by the
   * first such fixture and shared by the later ones, each working under a key prefix of its own
   * that is deleted when it closes; the process is killed when the JVM exits. Needs the test
   * dependency {@code dev.cohort:backend-etcd} next to {@code dev.cohort:testing}, and etcd
   * installed ({@code apt-get install etcd-server}); without the binary the fixture fails saying so.
   */
  ETCD
}
