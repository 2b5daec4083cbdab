package org.ktestci.coordinator.scheduling;

import java.util.Set;

/** Which infrastructure failure reasons count against a job's retries and a host's quarantine (scheduling.md §8). */
public final class FailureReasons {
    private static final Set<String> NOT_COUNTED_FOR_JOB = Set.of(
            "completed", "dispatch_timeout", "coordinator_failover", "worker_shutdown", "admin_revoke",
            "arch_mismatch", "no_root_image");
    private static final Set<String> COUNTED_FOR_HOST = Set.of(
            "member_down", "lease_timeout", "dispatch_timeout", "agent_error", "disk_full", "memory_unavailable",
            "deps_failed", "no_kernel", "runner_failed", "no_root_image");

    private FailureReasons() {
    }

    public static boolean countsForJob(String reason) {
        return !NOT_COUNTED_FOR_JOB.contains(reason);
    }

    /** Host-side failures only: commit-side ones (checkout, zero progress, …) never count (README decision 3). */
    public static boolean countsForHost(String reason) {
        return COUNTED_FOR_HOST.contains(reason);
    }
}
