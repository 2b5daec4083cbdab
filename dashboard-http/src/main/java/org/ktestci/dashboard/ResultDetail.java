package org.ktestci.dashboard;

import org.ktestci.schema.results.FailureReason;

import java.util.Optional;

/**
 * What the journal knows of one result beyond the capnp blob (http.md §5.3); absent for imported results.
 * {@code reason}: why a Failed to run result failed, with its attempts (issue 14).
 */
public record ResultDetail(Optional<String> statusLine, Optional<String> host, Optional<Integer> slot,
                           Optional<String> arch, Optional<Integer> attempt, Optional<Long> startedAtEpochSeconds,
                           Optional<String> run, Optional<FailureReason> reason) {

    public ResultDetail(Optional<String> statusLine, Optional<String> host, Optional<Integer> slot,
                        Optional<String> arch, Optional<Integer> attempt, Optional<Long> startedAtEpochSeconds,
                        Optional<String> run) {
        this(statusLine, host, slot, arch, attempt, startedAtEpochSeconds, run, Optional.empty());
    }
}
