package org.ktestci.coordinator.scheduling;

import java.time.Duration;

/** The config values the scheduler and executors use (config.md §2). */
public record SchedulerSettings(int window, int refillAt, int subtestDurationMax, int subtestDurationDef,
                                int subtestTimeout, int infraRetries, Duration leaseTimeout,
                                Duration heartbeatInterval, Duration refillInterval) {
}
