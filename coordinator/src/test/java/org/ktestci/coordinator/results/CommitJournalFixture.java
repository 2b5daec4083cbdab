package org.ktestci.coordinator.results;

import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;

/**
 * The commit events of the journal fixture (test resources {@code journal-fixture-0.1.0.json}): every kind of
 * {@link CommitEvent}, and a snapshot of one commit, as the release that wrote the fixture wrote them.
 */
public final class CommitJournalFixture {
    public static final String SHA_EVENTS = "a".repeat(40);
    public static final String SHA_SNAPSHOT = "b".repeat(40);

    private CommitJournalFixture() {
    }

    /** One commit's whole life in events: claim, start, verdicts, a release, a re-run, a clear, an import. */
    public static List<CommitEvent> events(String sha) {
        return List.of(
                new CommitEvent.SubtestsClaimed(sha, List.of(new CommitEvent.ClaimedKey("t.a", 1),
                        new CommitEvent.ClaimedKey("t.b", 1), new CommitEvent.ClaimedKey("t.c", 2)),
                        "L1", 1, "farm1", 0, "x86_64", 1_700_000_000),
                new CommitEvent.StartRecorded(sha, "t.a", "L1", 1_700_000_001),
                new CommitEvent.VerdictRecorded(sha, "t.a", Status.PASSED, "PASSED", 12, 1_700_000_001,
                        1_700_000_013, "L1", 1, "", "", "qemu -m 2G", 1_700_000_013_500L),
                new CommitEvent.StartRecorded(sha, "t.b", "L1", 1_700_000_014),
                new CommitEvent.VerdictRecorded(sha, "t.c", Status.FAILED, "FAILED", 30, 1_700_000_014,
                        1_700_000_044, "L1", 1, "t.b", "", "", 1_700_000_044_000L),
                new CommitEvent.ClaimReleased(sha, List.of("t.b"), "L1", "lease_timeout",
                        Map.of("t.b", "subtest_not_found"), 1_700_000_050),
                new CommitEvent.ObservationRecorded(sha, "t.c", 1, Status.PASSED, "PASSED", 29, "L2", "farm2", 1,
                        1_700_000_100),
                new CommitEvent.SubtestsClaimed(sha, List.of(new CommitEvent.ClaimedKey("t.d", 1)), "L3", 3,
                        "farm2", 1, "aarch64", 1_700_000_200),
                new CommitEvent.ResultsCleared(sha, List.of("t.a"), "rerun", "admin"),
                new CommitEvent.VerdictsImported(sha, List.of(new CommitEvent.ImportedEntry("old.x", Status.NOTRUN,
                        0, 1_600_000_000)), "/srv/ktest-output"));
    }

    /** The snapshot form of a commit after {@link #events}, as the entity writes it every 1000 events. */
    public static Object snapshotAfter(List<CommitEvent> events) {
        CommitState state = new CommitState();
        events.forEach(state::apply);
        return new CommitSnapshot(state.records(), state.releasedAttempts());
    }
}
