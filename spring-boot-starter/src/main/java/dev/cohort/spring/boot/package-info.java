/**
 * Cohort's Spring Boot starter: auto-configuration of a backend and a started client from {@code
 * cohort.*} properties ({@link dev.cohort.spring.boot.autoconfigure}), a health indicator ({@link
 * dev.cohort.spring.boot.health}) and a Spring Integration lock registry ({@link
 * dev.cohort.spring.boot.integration}). This package itself holds no types.
 */
package dev.cohort.spring.boot;
