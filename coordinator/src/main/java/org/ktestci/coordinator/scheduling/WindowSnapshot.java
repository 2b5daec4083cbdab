package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.journal.JsonSerializable;

import java.util.List;
import java.util.Map;

/** {@link WindowState} as stored in a snapshot (every 500 events). Maps keyed by JobKey are entry lists in JSON. */
public record WindowSnapshot(List<Job> pending, List<LeaseGrant> leases, long epoch, List<FailureEntry> failures,
                             Map<String, HostHealth> hosts, Map<String, ArchConstraint> constraints)
        implements JsonSerializable {

    public record FailureEntry(JobKey key, JobFailures failures) {
    }
}
