package org.ktestci.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One worker host as {@code /api/v1/workers} shows it (http.md §5.5). {@code state}: {@code up},
 * {@code unreachable}, {@code quarantined} or {@code down} (configured but absent); the hello fields are empty
 * for a host that never connected.
 */
public record WorkerStatus(String host, String arch, int slots, String slotsSource, String state,
                           Optional<Instant> quarantinedUntil, int consecutiveFailures,
                           Optional<Integer> protocolVersion, Optional<String> agentVersion,
                           Optional<String> ktestRevision, Optional<Boolean> kvm, Optional<String> kvmReason,
                           Optional<Long> memoryMib,
                           Optional<String> runner, List<Slot> slotList) {

    /** {@code state}: {@code busy}, {@code idle}, {@code quarantined} or {@code down}. */
    public record Slot(int slot, String name, String state, Optional<Lease> lease) {}

    /**
     * The batch a busy slot runs; {@code branch} is the owning branch of its jobs (fair share), {@code subtests}
     * their names and {@code subtestKeys} their result keys, in batch order; {@code currentSubtest} is a name.
     */
    public record Lease(String leaseId, long epoch, String branch, String commit, String test, String kernel, String env,
                        String arch, List<String> subtests, List<String> subtestKeys, String currentSubtest,
                        Instant startedAt,
                        long elapsedSecs, int attempt, Optional<Long> lastHeartbeatSecsAgo) {}
}
