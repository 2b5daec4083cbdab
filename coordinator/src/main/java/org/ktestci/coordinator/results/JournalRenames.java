package org.ktestci.coordinator.results;

import org.ktestci.coordinator.journal.RenamedEvent;

/** The results classes renamed since release 0.1.0, read under their old manifests (bound in reference.conf). */
public final class JournalRenames {
    private JournalRenames() {
    }

    /** {@code CommitEvent$SubtestStarted} (0.1.0) is {@link CommitEvent.StartRecorded}. */
    public static final class SubtestStarted extends RenamedEvent {
        public SubtestStarted() {
            super(CommitEvent.StartRecorded.class);
        }
    }

    /** {@code CommitResults$CommitSnapshot} (0.1.0, the entity's nested record) is {@link CommitSnapshot}. */
    public static final class CommitResultsSnapshot extends RenamedEvent {
        public CommitResultsSnapshot() {
            super(CommitSnapshot.class);
        }
    }
}
