package org.ktestci.coordinator.scheduling;

import java.util.List;

/**
 * A batch leased to one slot: lease id + fencing epoch, and the jobs (all with one batch key) with their attempt
 * numbers (a job's counted failures + 1).
 */
public record LeaseGrant(String leaseId, long epoch, String host, int slot, String arch, List<Job> jobs,
                         List<Integer> attempts, String fallbackUrl, long grantedAtMillis) {
    public Job first() {
        return jobs.get(0);
    }

    public String commit() {
        return first().key().commit();
    }

    /** The lease's single attempt number (scheduling.md §5): the highest of its jobs'. */
    public int attempt() {
        return attempts.stream().mapToInt(Integer::intValue).max().orElse(1);
    }
}
