/**
 * Service discovery: {@link dev.cohort.recipes.discovery.ServiceDiscovery} registers
 * {@link dev.cohort.recipes.discovery.ServiceInstance}s as ephemeral nodes (a crashed instance
 * disappears when its session expires; a live one re-registers after a session loss) and hands out
 * {@link dev.cohort.recipes.discovery.ServiceProvider}s that pick an instance from a live, cached view
 * with a {@link dev.cohort.recipes.discovery.ProviderStrategy}, skipping instances reported down
 * as a {@link dev.cohort.recipes.discovery.DownInstancePolicy} says. Typed payloads go through an
 * application-supplied {@link dev.cohort.recipes.discovery.PayloadSerializer}.
 */
package dev.cohort.recipes.discovery;
