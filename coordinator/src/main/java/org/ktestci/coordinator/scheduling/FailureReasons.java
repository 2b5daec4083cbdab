package org.ktestci.coordinator.scheduling;

import java.util.Set;

/** Which infrastructure failure reasons count against a job's retries (scheduling.md §8). */
public final class FailureReasons {
    private static final Set<String> NOT_COUNTED_FOR_JOB = Set.of(
            "dispatch_timeout", "coordinator_failover", "worker_shutdown", "admin_revoke");

    private FailureReasons() {
    }

    public static boolean countsForJob(String reason) {
        return !NOT_COUNTED_FOR_JOB.contains(reason);
    }
}
