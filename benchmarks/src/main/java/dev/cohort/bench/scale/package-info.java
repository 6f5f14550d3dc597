/**
 * The scale sweep (issue #16): {@link dev.cohort.bench.scale.ScaleSweep} runs each scenario of
 * {@link dev.cohort.bench.scale.Scenarios#ALL} at growing sizes on each backend and reports cost
 * and requests per operation, as a table and as PNG charts. Requests are counted at the SPI
 * boundary by a wrapper around the backend's sessions, the same way on every backend.
 */
package dev.cohort.bench.scale;
