/**
 * The Cohort backend for a real Apache ZooKeeper ensemble: {@link dev.cohort.zookeeper.ZooKeeperBackend}.
 *
 * <p>One Cohort session is one ZooKeeper session. Everything the SPI promises about ordering, watches
 * and ephemerals is what ZooKeeper itself guarantees; this package maps names, states and errors and
 * refuses, before sending, requests ZooKeeper would reject less gracefully (invalid paths, data over
 * the limit, which would otherwise cost the connection).
 *
 * <p>Only {@link dev.cohort.zookeeper.ZooKeeperBackend} and its builder are public. The jar has no
 * {@code module-info}: the ZooKeeper client's two jars split packages, so it cannot be required by a
 * named module; the automatic module name is {@code dev.cohort.zookeeper}.
 */
package dev.cohort.zookeeper;
