package org.ktestci.coordinator.results;

import org.ktestci.coordinator.journal.JsonSerializable;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;

/**
 * The events of one commit's {@link CommitEntity} entity (storage.md §7.1), every one tagged {@code results}
 * so the projector can follow them. Times are unix seconds except {@code recordedAtMillis}.
 */
public sealed interface CommitEvent extends JsonSerializable {
    String commit();

    record ClaimedKey(String key, int attempt) {
    }

    /** Keys without a verdict became In progress under this lease. */
    record SubtestsClaimed(String commit, List<ClaimedKey> keys, String leaseId, long epoch, String host, int slot,
                           String arch, long at) implements CommitEvent {
    }

    /**
     * The worker saw the key's {@code TEST} line. Written as {@code CommitEvent$SubtestStarted} before issue 13
     * (the wire message's name); {@code reference.conf} maps that manifest here.
     */
    record StartRecorded(String commit, String key, String leaseId, long at) implements CommitEvent {
    }

    /**
     * A verdict (or Unknown) for a key that was In progress under {@code leaseId}. Its run's full log is that of
     * {@code fullLogKey}, the batch's first subtest, which may have run in the batch as its re-run
     * {@code fullLogRerun} (its log then is {@code rerun-<n>.full_log.br}).
     */
    record VerdictRecorded(String commit, String key, Status status, String statusLine, long duration,
                           long startedAt, long finishedAt, String leaseId, long epoch, String fullLogKey,
                           String reason, String run, long recordedAtMillis, int fullLogRerun)
            implements CommitEvent {
        /** {@code fullLogRerun} is absent (0) in journals written before it was added. */
        public VerdictRecorded(String commit, String key, Status status, String statusLine, long duration,
                               long startedAt, long finishedAt, String leaseId, long epoch, String fullLogKey,
                               String reason, String run, long recordedAtMillis) {
            this(commit, key, status, statusLine, duration, startedAt, finishedAt, leaseId, epoch, fullLogKey, reason,
                    run, recordedAtMillis, 0);
        }
    }

    /**
     * That lease's In-progress entries for these keys disappear. {@code reasons} names a key's own reason where it
     * differs from the lease's ({@code subtest_not_found}); {@code at} is unix seconds. Both are absent (null, 0)
     * in journals written before they were added.
     */
    record ClaimReleased(String commit, List<String> keys, String leaseId, String reason, Map<String, String> reasons,
                         long at) implements CommitEvent {
        public ClaimReleased {
            reasons = reasons == null ? Map.of() : Map.copyOf(reasons);
        }

        String reasonOf(String key) {
            return reasons.getOrDefault(key, reason);
        }
    }

    /**
     * A re-run of a key that already had its verdict (issue 14): observation {@code n}, never a verdict. Times are
     * unix seconds.
     */
    record ObservationRecorded(String commit, String key, int n, Status status, String statusLine, long duration,
                               String leaseId, String host, int slot, long at, String fullLogKey, int fullLogRerun)
            implements CommitEvent {
        /** {@code fullLogKey} / {@code fullLogRerun} are absent (null, 0) in journals written before they were added. */
        public ObservationRecorded(String commit, String key, int n, Status status, String statusLine, long duration,
                                   String leaseId, String host, int slot, long at) {
            this(commit, key, n, status, statusLine, duration, leaseId, host, slot, at, null, 0);
        }
    }

    /**
     * What bisecting this key's failure found (issue 14 item 3), kept beside its verdict, which stays as it is.
     * {@code at} is unix seconds.
     */
    record FirstBadFound(String commit, String key, FirstBad firstBad, long at) implements CommitEvent {
    }

    /** Entries removed, verdicts included (admin re-run, clear Failed to run). */
    record ResultsCleared(String commit, List<String> keys, String reason, String requestedBy)
            implements CommitEvent {
    }

    record ImportedEntry(String key, Status status, long duration, long starttime) {
    }

    /** Verdicts taken over from an existing ktest {@code output_dir} (storage.md §8). */
    record VerdictsImported(String commit, List<ImportedEntry> entries, String source) implements CommitEvent {
    }
}
