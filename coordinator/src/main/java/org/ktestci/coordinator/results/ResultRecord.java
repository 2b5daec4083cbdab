package org.ktestci.coordinator.results;

import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator's state of one result key: status plus where it came from. {@code statusLine} is what the
 * {@code status} file holds; {@code leaseId} is the lease that claimed or decided it ({@code ""} if imported);
 * {@code attempts} are the earlier leases of the key that ended without a verdict, and for Failed to run also
 * the last one (storage.md §4).
 */
public record ResultRecord(String key, Status status, String statusLine, long duration, long starttime,
                           String leaseId, String host, int slot, String arch, int attempt, String fullLogKey,
                           int fullLogRerun, String reason, String run, List<FailureReason.Attempt> attempts,
                           List<Observation> observations, FirstBad firstBad) {

    public ResultRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts); // absent in journals of older versions
        observations = observations == null ? List.of() : List.copyOf(observations); // likewise
    }

    public ResultRecord(String key, Status status, String statusLine, long duration, long starttime,
                        String leaseId, String host, int slot, String arch, int attempt, String fullLogKey,
                        String reason, String run, List<FailureReason.Attempt> attempts,
                        List<Observation> observations) {
        this(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt, fullLogKey, 0, reason,
                run, attempts, observations, null);
    }

    public ResultRecord(String key, Status status, String statusLine, long duration, long starttime,
                        String leaseId, String host, int slot, String arch, int attempt, String fullLogKey,
                        String reason, String run, List<FailureReason.Attempt> attempts) {
        this(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt, fullLogKey, reason,
                run, attempts, List.of());
    }

    public ResultRecord(String key, Status status, String statusLine, long duration, long starttime,
                        String leaseId, String host, int slot, String arch, int attempt, String fullLogKey,
                        String reason, String run) {
        this(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt, fullLogKey, reason,
                run, List.of());
    }

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
                fullLogKey, fullLogRerun, reason, run, attempts, observations, firstBad);
    }

    public ResultRecord withVerdict(Status newStatus, String line, long seconds, long startedAtSeconds,
                                    String logKey, int logRerun, String why) {
        return new ResultRecord(key, newStatus, line, seconds, startedAtSeconds > 0 ? startedAtSeconds : starttime,
                leaseId, host, slot, arch, attempt, logKey, logRerun, why, run, attempts, observations, null);
    }

    /** How to reproduce the run that produced this verdict (runner, command line, kernel, …). */
    public ResultRecord withRun(String how) {
        return new ResultRecord(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt,
                fullLogKey, fullLogRerun, reason, how, attempts, observations, firstBad);
    }

    /** With the earlier attempts, and for Failed to run this lease as the last one, ended at {@code at}. */
    public ResultRecord withAttempts(List<FailureReason.Attempt> earlier, long at) {
        List<FailureReason.Attempt> all = new ArrayList<>(earlier);
        if (status == Status.FAILED_TO_RUN) {
            all.add(new FailureReason.Attempt(attempt, host, slot, leaseId, reason, at));
        }
        return new ResultRecord(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt,
                fullLogKey, fullLogRerun, reason, run, all, observations, firstBad);
    }

    /** With one more re-run observed (issue 14): the verdict stays as it is. */
    public ResultRecord withObservation(Observation o) {
        List<Observation> all = new ArrayList<>(observations);
        all.add(o);
        return new ResultRecord(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt,
                fullLogKey, fullLogRerun, reason, run, attempts, all, firstBad);
    }

    /** With what bisecting this failure found (issue 14 item 3). */
    public ResultRecord withFirstBad(FirstBad found) {
        return new ResultRecord(key, status, statusLine, duration, starttime, leaseId, host, slot, arch, attempt,
                fullLogKey, fullLogRerun, reason, run, attempts, observations, found);
    }

    public Optional<FirstBad> bisection() {
        return Optional.ofNullable(firstBad);
    }

    /** Whether re-run {@code n} is already recorded. */
    public boolean observed(int n) {
        return observations.stream().anyMatch(o -> o.n() == n);
    }

    /** This lease's try as an attempt that ended without a verdict, for {@code why}, at {@code at}. */
    public FailureReason.Attempt asAttempt(String why, long at) {
        return new FailureReason.Attempt(attempt, host, slot, leaseId, why, at);
    }

    /** Why a Failed to run result failed, with its attempts; empty for any other status. */
    public Optional<FailureReason> failureReason() {
        return status == Status.FAILED_TO_RUN ? Optional.of(new FailureReason(reason, attempts))
                : Optional.empty();
    }
}
