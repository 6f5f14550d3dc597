/** The {@code cohort} health indicator: the client's session state, for Spring Boot's health endpoint. */
package dev.cohort.spring.boot.health;
