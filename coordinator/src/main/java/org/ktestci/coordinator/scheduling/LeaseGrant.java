package org.ktestci.coordinator.scheduling;

import java.util.List;

/** A batch leased to one slot: lease id + fencing epoch, and the jobs (all with one batch key). */
public record LeaseGrant(String leaseId, long epoch, String host, int slot, String arch, List<Job> jobs,
                         int attempt, String fallbackUrl, long grantedAtMillis) {
    public Job first() {
        return jobs.get(0);
    }

    public String commit() {
        return first().key().commit();
    }
}
