/**
 * Cohort recipes: the {@link dev.cohort.recipes.Cohort} client (one session at a time, retries,
 * namespace, one connection-state model) and the coordination recipes built on it. Depends only on
 * the backend SPI; works on every backend.
 */
module dev.cohort.recipes {
  requires transitive dev.cohort.spi;
  requires org.slf4j;

  exports dev.cohort.recipes;
  exports dev.cohort.recipes.leader;
  exports dev.cohort.recipes.locks;
  exports dev.cohort.recipes.barrier;
  exports dev.cohort.recipes.cache;
  exports dev.cohort.recipes.counter;
  exports dev.cohort.recipes.discovery;
  exports dev.cohort.recipes.group;
  exports dev.cohort.recipes.partition;
  exports dev.cohort.recipes.queue;
  exports dev.cohort.recipes.rendezvous;
  exports dev.cohort.recipes.node;
}
