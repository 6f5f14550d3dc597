/** Tree cache benchmarks: the heap a cached node costs at a million nodes. */
package dev.cohort.bench.cache;
