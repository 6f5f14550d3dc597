/**
 * The Cohort backend SPI: the contract between coordination recipes and the services that keep a
 * ZooKeeper-style tree of znodes. Recipes depend on this module only; backends implement it.
 */
module dev.cohort.spi {
  exports dev.cohort.spi;
}
