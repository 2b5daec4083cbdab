package org.ktestci.coordinator.scheduling;

import java.time.Duration;

/** The config values the scheduler and executors use (config.md §2). */
public record SchedulerSettings(int window, int refillAt, int subtestDurationMax, int subtestDurationDef,
                                int subtestTimeout, int infraRetries, Duration leaseTimeout,
                                Duration heartbeatInterval, Duration refillInterval, Duration fetchInterval,
                                Duration fairShareHalfLife, int quarantineAfter, Duration quarantineBackoff,
                                Duration quarantineBackoffMax, int keepResultsCommits, TailBudget tailBudget) {

    /** The config's values; the adaptive batch budget is {@link TailBudget#DEFAULT}. */
    public SchedulerSettings(int window, int refillAt, int subtestDurationMax, int subtestDurationDef,
                             int subtestTimeout, int infraRetries, Duration leaseTimeout, Duration heartbeatInterval,
                             Duration refillInterval, Duration fetchInterval, Duration fairShareHalfLife,
                             int quarantineAfter, Duration quarantineBackoff, Duration quarantineBackoffMax,
                             int keepResultsCommits) {
        this(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout, infraRetries, leaseTimeout,
                heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife, quarantineAfter,
                quarantineBackoff, quarantineBackoffMax, keepResultsCommits, TailBudget.DEFAULT);
    }

    /** The same settings with another adaptive batch budget (benchmarks compare them). */
    public SchedulerSettings withTailBudget(TailBudget t) {
        return new SchedulerSettings(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout,
                infraRetries, leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife,
                quarantineAfter, quarantineBackoff, quarantineBackoffMax, keepResultsCommits, t);
    }

    /** Defaults of config.md for what a test does not set. */
    public static SchedulerSettings defaults() {
        return new SchedulerSettings(2000, 500, 600, 30, 1200, 2, Duration.ofSeconds(12), Duration.ofSeconds(3),
                Duration.ofSeconds(600), Duration.ofSeconds(60), Duration.ofSeconds(3600), 3, Duration.ofSeconds(600),
                Duration.ofSeconds(14400), 500);
    }

    public SchedulerSettings withWindow(int w, int refill) {
        return new SchedulerSettings(w, refill, subtestDurationMax, subtestDurationDef, subtestTimeout, infraRetries,
                leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife, quarantineAfter,
                quarantineBackoff, quarantineBackoffMax, keepResultsCommits, tailBudget);
    }

    public SchedulerSettings withBudget(int budgetSecs) {
        return new SchedulerSettings(window, refillAt, budgetSecs, subtestDurationDef, subtestTimeout, infraRetries,
                leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife, quarantineAfter,
                quarantineBackoff, quarantineBackoffMax, keepResultsCommits, tailBudget);
    }

    public SchedulerSettings withInfraRetries(int n) {
        return new SchedulerSettings(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout, n,
                leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife, quarantineAfter,
                quarantineBackoff, quarantineBackoffMax, keepResultsCommits, tailBudget);
    }

    public SchedulerSettings withFairShare(Duration halfLife) {
        return new SchedulerSettings(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout,
                infraRetries, leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, halfLife,
                quarantineAfter, quarantineBackoff, quarantineBackoffMax, keepResultsCommits, tailBudget);
    }

    public SchedulerSettings withLeaseTimeout(Duration timeout, Duration heartbeat) {
        return new SchedulerSettings(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout,
                infraRetries, timeout, heartbeat, refillInterval, fetchInterval, fairShareHalfLife, quarantineAfter,
                quarantineBackoff, quarantineBackoffMax, keepResultsCommits, tailBudget);
    }

    public SchedulerSettings withQuarantine(int after, Duration backoff, Duration max) {
        return new SchedulerSettings(window, refillAt, subtestDurationMax, subtestDurationDef, subtestTimeout,
                infraRetries, leaseTimeout, heartbeatInterval, refillInterval, fetchInterval, fairShareHalfLife,
                after, backoff, max, keepResultsCommits, tailBudget);
    }
}
