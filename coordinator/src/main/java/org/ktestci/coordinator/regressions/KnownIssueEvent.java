package org.ktestci.coordinator.regressions;

import org.ktestci.coordinator.journal.JsonSerializable;

/** Events of {@link KnownIssueStore} (persistence id {@code known-issues}): issues defined through the admin API. */
public sealed interface KnownIssueEvent extends JsonSerializable {
    String id();

    /** Defined or replaced; {@code log} and {@code fixedBy} are {@code ""} when not given. */
    record KnownIssueSaved(String id, String test, String log, String url, String fixedBy, String by, long at)
            implements KnownIssueEvent {
    }

    record KnownIssueDeleted(String id, String by, long at) implements KnownIssueEvent {
    }
}
