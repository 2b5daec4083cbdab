package org.ktestci.coordinator.scheduling;

/** A learned {@code config-arch} of a test (scheduling.md §8), valid while its listing mtime is unchanged. */
public record ArchConstraint(long listingMtime, String arch) {
}
