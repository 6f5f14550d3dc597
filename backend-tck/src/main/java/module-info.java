/** The Cohort backend conformance suite (a test library: JUnit 5, jqwik, Awaitility). */
module dev.cohort.tck {
  requires transitive dev.cohort.spi;
  requires transitive org.junit.jupiter.api;
  requires net.jqwik.api;
  requires awaitility;

  exports dev.cohort.tck;
  opens dev.cohort.tck to org.junit.platform.commons;
}
