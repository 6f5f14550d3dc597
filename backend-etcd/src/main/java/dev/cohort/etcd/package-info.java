/**
 * The etcd backend: Cohort's coordination SPI over an etcd v3 cluster through jetcd. Start with
 * {@link dev.cohort.etcd.EtcdBackend#builder()}; the module README documents the mapping from
 * ZooKeeper's model to etcd's and every difference.
 */
package dev.cohort.etcd;
