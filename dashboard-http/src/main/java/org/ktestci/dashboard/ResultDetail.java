package org.ktestci.dashboard;

import java.util.Optional;

/** What the journal knows of one result beyond the capnp blob (http.md §5.3); absent for imported results. */
public record ResultDetail(Optional<String> statusLine, Optional<String> host, Optional<Integer> slot,
                           Optional<String> arch, Optional<Integer> attempt, Optional<Long> startedAtEpochSeconds,
                           Optional<String> run) {
}
