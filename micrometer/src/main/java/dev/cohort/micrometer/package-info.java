/**
 * Micrometer metrics and observations for Cohort: {@link dev.cohort.micrometer.CohortMetrics}
 * turns the events a client and its recipes publish ({@link dev.cohort.recipes.CohortEvents}) into
 * meters on a {@code MeterRegistry} and, optionally, observations on an {@code
 * ObservationRegistry} (spans through Micrometer Tracing, OpenTelemetry included).
 */
package dev.cohort.micrometer;
