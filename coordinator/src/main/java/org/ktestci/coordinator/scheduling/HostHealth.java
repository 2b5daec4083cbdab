package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * One host's record for quarantine (scheduling.md §9): infrastructure-failed batches in a row, the number of
 * quarantines so far ({@code level}, the doubling exponent) and the end of the current one (0 = none).
 */
public record HostHealth(int consecutive, int level, long until)
        implements NoSerializationVerificationNeeded {
    static final HostHealth FRESH = new HostHealth(0, 0, 0);

    boolean quarantinedAt(long now) {
        return until > now;
    }

    HostHealth failed() {
        return new HostHealth(consecutive + 1, level, until);
    }

    HostHealth succeeded() {
        return new HostHealth(0, 0, until);
    }

    /** Quarantined until {@code until}; probation: the next counted failure quarantines again at once. */
    HostHealth quarantined(long untilMillis, int newLevel, int quarantineAfter) {
        return new HostHealth(quarantineAfter - 1, newLevel, untilMillis);
    }

    HostHealth released() {
        return new HostHealth(consecutive, level, 0);
    }
}
