package org.ktestci.coordinator.scheduling;

/** A {@code (url, ref)} a worker may fetch a job's commit from (scheduling.md §2). */
public record Source(String url, String ref) {
}
