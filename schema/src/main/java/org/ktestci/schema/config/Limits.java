package org.ktestci.schema.config;

/** The integer knobs of config.md §2 with their ranges, defaults and cross-key rules. */
record Limits(int subtestDurationMax, int subtestDurationDef, int subtestTimeout, int keepResultsCommits, int window,
              int refillAt, int leaseTimeout, int heartbeatInterval, int infraRetries, int quarantineAfter,
              int quarantineBackoff, int quarantineBackoffMax, int fetchInterval, int refillInterval,
              int fairShareHalfLife, int gcGrace, int maintenanceInterval) {
    private static final long NO_MAX = Integer.MAX_VALUE;

    static Limits read(TomlReader r, TomlScope root) {
        int window = r.intIn(root, "window", 1, NO_MAX, 2000);
        int refillAt = r.intIn(root, "refill_at", 0, NO_MAX, 500);
        if (r.isInteger(root, "refill_at") && refillAt >= window) {
            r.error(root, "refill_at", "must be < window (" + window + "), got " + refillAt);
        }
        int heartbeat = r.intIn(root, "heartbeat_interval", 1, NO_MAX, 10);
        int leaseTimeout = r.intIn(root, "lease_timeout", 1, NO_MAX, 60);
        if (leaseTimeout < 3L * heartbeat) {
            String key = r.has(root, "lease_timeout") ? "lease_timeout" : "heartbeat_interval";
            r.error(root, key, "lease_timeout must be >= 3 x heartbeat_interval (" + 3L * heartbeat + "), got "
                    + leaseTimeout);
        }
        int backoff = r.intIn(root, "quarantine_backoff", 1, NO_MAX, 600);
        int backoffMax = r.intIn(root, "quarantine_backoff_max", 1, NO_MAX, 14400);
        if (backoffMax < backoff) {
            String key = r.has(root, "quarantine_backoff_max") ? "quarantine_backoff_max" : "quarantine_backoff";
            r.error(root, key, "quarantine_backoff_max must be >= quarantine_backoff (" + backoff + "), got "
                    + backoffMax);
        }
        return new Limits(
                r.intIn(root, "subtest_duration_max", 1, NO_MAX, 600),
                r.intIn(root, "subtest_duration_def", 1, NO_MAX, 30),
                r.intIn(root, "subtest_timeout", 10, NO_MAX, 1200),
                r.intIn(root, "keep_results_commits", 1, NO_MAX, 500),
                window, refillAt, leaseTimeout, heartbeat,
                r.intIn(root, "infra_retries", 0, 10, 2),
                r.intIn(root, "quarantine_after", 1, NO_MAX, 3),
                backoff, backoffMax,
                r.intIn(root, "fetch_interval", 5, NO_MAX, 60),
                r.intIn(root, "refill_interval", 10, NO_MAX, 600),
                r.intIn(root, "fair_share_half_life", 0, NO_MAX, 3600),
                r.intIn(root, "gc_grace", 0, NO_MAX, 3600),
                r.intIn(root, "maintenance_interval", 60, NO_MAX, 1800));
    }
}
