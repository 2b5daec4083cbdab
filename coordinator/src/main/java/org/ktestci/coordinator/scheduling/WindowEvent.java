package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.journal.JsonSerializable;

import java.util.List;

/** The events of {@link JobWindow} (persistence id {@code job-window}; storage.md §7.1, scheduling.md §4–§9). */
public sealed interface WindowEvent extends JsonSerializable {

    record Removal(JobKey key, String reason) {
    }

    /**
     * A refill's result: {@code added} jobs entered pending, {@code updated} ones changed weight, owner or
     * sources, {@code removed} ones left it with their reason.
     */
    record WindowReconciled(List<Job> added, List<Job> updated, List<Removal> removed, String trigger, long at)
            implements WindowEvent {
    }

    /** Pending jobs {@code keys} (each with its attempt number) leased to {@code host:slot}. */
    record LeaseGranted(String leaseId, long epoch, String host, int slot, String arch, List<JobKey> keys,
                        List<Integer> attempts, String branch, long usageSeconds, long at) implements WindowEvent {
    }

    /**
     * A lease is over. {@code requeued} went back to pending; {@code failedToRun} were finalised; {@code counted}
     * got a failure charged on {@code host}/{@code slot} (scheduling.md §8); {@code hostFailure} counts the lease
     * toward the host's quarantine, {@code hostSuccess} resets it.
     */
    record LeaseEnded(String leaseId, String reason, List<JobKey> requeued, List<JobKey> failedToRun,
                      List<JobKey> counted, boolean hostFailure, boolean hostSuccess, long at) implements WindowEvent {
    }

    record HostQuarantined(String host, long until, int level, String by, long at) implements WindowEvent {
    }

    record HostReleased(String host, String by, long at) implements WindowEvent {
    }

    /** A test declared {@code config-arch}: its jobs run only there while its listing is unchanged. */
    record ConstraintLearned(String test, long listingMtime, String arch, long at) implements WindowEvent {
    }

    /** Admin re-run or clear: the jobs' failure counts and exclusions start again. */
    record FailuresReset(List<JobKey> keys, long at) implements WindowEvent {
    }
}
