package org.ktestci.dashboard;

import org.ktestci.schema.keys.KeyGlob;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the admin API (http.md §6) asks of the coordinator. Implementations block until the action took effect
 * and throw {@link HttpError} for requests that name unknown things (404) or conflict (409), and
 * {@link CiUnavailable} when the coordinator cannot answer.
 */
public interface AdminActions {
    /** The outcome of re-reading the config file: applied, or rejected with its problems. */
    record Reload(boolean applied, List<String> restartRequired, List<String> errors) {}

    /**
     * Which verdicts to clear: one commit (sha or unique prefix), or the commits of {@code range} ("A..B") on a
     * branch; keys matching the glob {@code pattern}; only these statuses when not empty.
     */
    record Rerun(Optional<String> commit, Optional<String> branch, Optional<String> range, KeyGlob pattern,
                 Set<Status> statuses, boolean dryRun) {}

    record Cleared(int cleared, int commits, List<String> keys) {}

    Reload reload();

    Cleared rerun(Rerun request);

    /** Clears Failed to run verdicts of these commits (empty: every commit in the retention live set). */
    int clearFailedToRun(Optional<List<String>> commits);

    WorkerStatus quarantine(String host, long seconds);

    WorkerStatus release(String host);

    /** Revokes a running lease (reason {@code admin_revoke}). */
    void revoke(String leaseId);

    /** Queues a fetch of every branch. */
    void fetch();

    /** Queues a refill of the window. */
    void refill();

    /** Runs garbage collection now; the paths it removed (or would remove). */
    List<String> gc(boolean dryRun);

    /**
     * Defines or replaces a known issue (issue 14 item 5); 409 when its id is defined in the config file (edit it
     * there). The issue's fields are already valid.
     */
    default KnownIssue saveKnownIssue(KnownIssue issue) {
        throw new CiUnavailable("no coordinator on this node");
    }

    /** Deletes an admin-defined known issue: 404 when none has the id, 409 when the config file defines it. */
    default void deleteKnownIssue(String id) {
        throw new CiUnavailable("no coordinator on this node");
    }
}
