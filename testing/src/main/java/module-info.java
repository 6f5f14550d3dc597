/** Cohort's test fixture for users: backends with fault controls, and history checkers. */
module dev.cohort.testing {
  requires transitive dev.cohort.spi;
  requires static org.junit.jupiter.api;

  exports dev.cohort.testing;
}
