/**
 * A Spring Boot service whose scheduled job runs on the leader only, elected through the Cohort
 * lock registry that {@code cohort-spring-boot-starter} defines. See this module's README.
 */
package dev.cohort.examples.springboot;
