package org.ktestci.coordinator.results;

import org.ktestci.schema.status.Status;

/**
 * The coordinator's state of one result key: status plus where it came from. {@code statusLine} is what the
 * {@code status} file holds; {@code leaseId} is the lease that claimed or decided it ({@code ""} if imported).
 */
public record ResultRecord(String key, Status status, String statusLine, long duration, long starttime,
                           String leaseId, String host, int slot, String arch, int attempt, String fullLogKey,
                           String reason, String run) {

    public static ResultRecord claimed(String key, String leaseId, String host, int slot, String arch, int attempt,
                                       long claimedAtSeconds) {
        return new ResultRecord(key, Status.INPROGRESS, "IN PROGRESS", 0, claimedAtSeconds, leaseId, host, slot, arch,
                attempt, "", "", "");
    }

    public static ResultRecord imported(String key, Status status, long duration, long starttime) {
        return new ResultRecord(key, status, "", duration, starttime, "", "", -1, "", 0, "", "", "");
    }

    public boolean hasVerdict() {
        return status.isVerdict();
    }

    public ResultRecord withStart(long startedAtSeconds) {
        return new ResultRecord(key, status, statusLine, duration, startedAtSeconds, leaseId, host, slot, arch, attempt,
                fullLogKey, reason, run);
    }

    public ResultRecord withVerdict(Status newStatus, String line, long seconds, long startedAtSeconds,
                                    String logKey, String why) {
        return new ResultRecord(key, newStatus, line, seconds, startedAtSeconds > 0 ? startedAtSeconds : starttime,
                leaseId, host, slot, arch, attempt, logKey, why, run);
    }

    /** How to reproduce the run that produced this verdict (runner, command line, kernel, …). */
    public ResultRecord withRun(String how) {
        return new ResultRecord(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt,
                fullLogKey, reason, how);
    }
}
