package org.ktestci.coordinator.results;

import org.ktestci.coordinator.journal.JsonSerializable;
import org.ktestci.schema.results.FailureReason;

import java.util.List;
import java.util.Map;

/**
 * The snapshot form of {@link CommitState} (a copy: the live state is mutated in place). Written as
 * {@code CommitResults$CommitSnapshot} before issue 13; {@code reference.conf} maps that manifest here.
 */
public record CommitSnapshot(List<ResultRecord> records, Map<String, List<FailureReason.Attempt>> released)
        implements JsonSerializable {
    public CommitSnapshot {
        released = released == null ? Map.of() : released; // absent in older snapshots
    }
}
