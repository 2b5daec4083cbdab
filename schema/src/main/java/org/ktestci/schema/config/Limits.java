package org.ktestci.schema.config;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.ktestci.schema.config.TomlReader.NO_MAX;

/** The integer knobs of config.md §2 with their ranges, defaults and cross-key rules. */
record Limits(int subtestDurationMax, int subtestDurationDef, int subtestTimeout, int keepResultsCommits, int window,
              int refillAt, int leaseTimeout, int heartbeatInterval, int infraRetries, int quarantineAfter,
              int quarantineBackoff, int quarantineBackoffMax, int fetchInterval, int refillInterval,
              int fairShareHalfLife, int gcGrace, int maintenanceInterval) {

    static Limits read(TomlReader r, TomlScope root) {
        CrossKey c = new CrossKey(r, root);
        int window = c.read("window", 1, 2000);
        int refillAt = c.read("refill_at", 0, 500);
        c.require(refillAt < window, "refill_at", "must be < window (" + window + "), got " + refillAt,
                "window", "must be > refill_at (" + refillAt + "), got " + window);
        int heartbeat = c.read("heartbeat_interval", 1, 3);
        int leaseTimeout = c.read("lease_timeout", 1, 12);
        c.require(leaseTimeout >= 3L * heartbeat,
                "lease_timeout", "must be >= 3 x heartbeat_interval (" + 3L * heartbeat + "), got " + leaseTimeout,
                "heartbeat_interval", "must be <= lease_timeout / 3 (" + leaseTimeout / 3 + "), got " + heartbeat);
        int backoff = c.read("quarantine_backoff", 1, 600);
        int backoffMax = c.read("quarantine_backoff_max", 1, 14400);
        c.require(backoffMax >= backoff,
                "quarantine_backoff_max", "must be >= quarantine_backoff (" + backoff + "), got " + backoffMax,
                "quarantine_backoff", "must be <= quarantine_backoff_max (" + backoffMax + "), got " + backoff);
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

    /**
     * Rules between two keys: checked only when neither key has an error of its own (so one mistake gives one
     * message), and reported at the key the file sets — the first one if it sets both.
     */
    private static final class CrossKey {
        private final TomlReader r;
        private final TomlScope root;
        private final Set<String> invalid = new HashSet<>();

        CrossKey(TomlReader r, TomlScope root) {
            this.r = r;
            this.root = root;
        }

        int read(String key, int min, int def) {
            Optional<Integer> v = r.validInt(root, key, min, NO_MAX);
            if (v.isEmpty() && r.has(root, key)) {
                invalid.add(key);
            }
            return v.orElse(def);
        }

        void require(boolean ok, String key, String message, String otherKey, String otherMessage) {
            if (ok || invalid.contains(key) || invalid.contains(otherKey)) {
                return;
            }
            if (r.has(root, key)) {
                r.error(root, key, message);
            } else {
                r.error(root, otherKey, otherMessage);
            }
        }
    }
}
