package org.ktestci.coordinator.scheduling;


import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ktestci.protocol.LeaseEndReason;

/**
 * What the end of a lease means for each of its jobs (scheduling.md §7–§8): decided (a verdict came), re-queued
 * (with or without a counted failure) or Failed to run (retries exhausted); and for the host, whether the lease
 * counts toward quarantine or resets it.
 */
record LeaseOutcome(List<JobKey> decided, List<JobKey> requeued, List<JobKey> failedToRun, List<JobKey> counted,
                    Map<JobKey, LeaseEndReason> reasons, boolean hostFailure, boolean hostSuccess) {

    static LeaseOutcome of(LeaseGrant grant, JobWindow.EndLease e, WindowState state, int infraRetries) {
        List<JobKey> decided = new ArrayList<>();
        List<JobKey> requeued = new ArrayList<>();
        List<JobKey> failedToRun = new ArrayList<>();
        List<JobKey> counted = new ArrayList<>();
        Map<JobKey, LeaseEndReason> reasons = new HashMap<>();
        boolean archMismatch = e.outcome() == LeaseEndKind.ARCH_MISMATCH;
        for (Job j : grant.jobs()) {
            if (e.verdictKeys().contains(j.resultKey())) {
                decided.add(j.key());
                continue;
            }
            LeaseEndReason reason = archMismatch ? LeaseEndReason.ARCH_MISMATCH
                    : e.unreached().getOrDefault(j.resultKey(), e.reason());
            reasons.put(j.key(), reason);
            if (!FailureReasons.countsForJob(reason)) {
                requeued.add(j.key());
                continue;
            }
            counted.add(j.key());
            if (state.failuresOf(j.key()).count() + 1 > infraRetries) {
                failedToRun.add(j.key());
            } else {
                requeued.add(j.key());
            }
        }
        boolean completed = e.outcome() == LeaseEndKind.COMPLETED;
        return new LeaseOutcome(decided, requeued, failedToRun, counted, reasons,
                !completed && FailureReasons.countsForHost(e.reason()), completed);
    }

    /** {@code k}'s reason as the journal and the results keep it (its wire string, empty when it has none). */
    String reasonOf(JobKey k) {
        return reasons.getOrDefault(k, LeaseEndReason.NONE).wireName();
    }
}
