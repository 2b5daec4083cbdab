package org.ktestci.coordinator.scheduling;

import org.ktestci.protocol.LeaseEndReason;

import java.util.EnumSet;
import java.util.Set;

import static org.ktestci.protocol.LeaseEndReason.ADMIN_REVOKE;
import static org.ktestci.protocol.LeaseEndReason.AGENT_ERROR;
import static org.ktestci.protocol.LeaseEndReason.ARCH_MISMATCH;
import static org.ktestci.protocol.LeaseEndReason.COMPLETED;
import static org.ktestci.protocol.LeaseEndReason.COORDINATOR_FAILOVER;
import static org.ktestci.protocol.LeaseEndReason.DEPS_FAILED;
import static org.ktestci.protocol.LeaseEndReason.DISK_FULL;
import static org.ktestci.protocol.LeaseEndReason.DISPATCH_TIMEOUT;
import static org.ktestci.protocol.LeaseEndReason.LEASE_TIMEOUT;
import static org.ktestci.protocol.LeaseEndReason.MEMBER_DOWN;
import static org.ktestci.protocol.LeaseEndReason.MEMORY_UNAVAILABLE;
import static org.ktestci.protocol.LeaseEndReason.NO_KERNEL;
import static org.ktestci.protocol.LeaseEndReason.NO_ROOT_IMAGE;
import static org.ktestci.protocol.LeaseEndReason.RUNNER_FAILED;
import static org.ktestci.protocol.LeaseEndReason.WORKER_SHUTDOWN;

/** Which infrastructure failure reasons count against a job's retries and a host's quarantine (scheduling.md §8). */
public final class FailureReasons {
    private static final Set<LeaseEndReason> NOT_COUNTED_FOR_JOB = EnumSet.of(
            COMPLETED, DISPATCH_TIMEOUT, COORDINATOR_FAILOVER, WORKER_SHUTDOWN, ADMIN_REVOKE, ARCH_MISMATCH,
            NO_ROOT_IMAGE);
    private static final Set<LeaseEndReason> COUNTED_FOR_HOST = EnumSet.of(
            MEMBER_DOWN, LEASE_TIMEOUT, DISPATCH_TIMEOUT, AGENT_ERROR, DISK_FULL, MEMORY_UNAVAILABLE, DEPS_FAILED,
            NO_KERNEL, RUNNER_FAILED, NO_ROOT_IMAGE);

    private FailureReasons() {
    }

    public static boolean countsForJob(LeaseEndReason reason) {
        return !NOT_COUNTED_FOR_JOB.contains(reason);
    }

    /** Host-side failures only: commit-side ones (checkout, zero progress, …) never count (README decision 3). */
    public static boolean countsForHost(LeaseEndReason reason) {
        return COUNTED_FOR_HOST.contains(reason);
    }
}
