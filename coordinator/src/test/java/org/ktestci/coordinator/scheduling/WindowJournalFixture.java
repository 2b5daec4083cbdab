package org.ktestci.coordinator.scheduling;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The job-window events of the journal fixture (test resources {@code journal-fixture-0.1.0.json}): every kind
 * of {@link WindowEvent} before a snapshot, and more events after it, as the release that wrote the fixture
 * wrote them. Quarantine ends lie in the past, so a replay at any time recovers the same hosts.
 */
public final class WindowJournalFixture {
    /** When the fixture's quarantines end. */
    public static final long QUARANTINE_END = 1_700_000_600_000L;

    private WindowJournalFixture() {
    }

    static Job job(String commit, String subtest, String branch) {
        TreeMap<String, String> env = new TreeMap<>();
        env.put("KTEST_X", "1");
        return new Job(new JobKey(commit, "t.ktest", subtest, "", "", ""), "t." + subtest, "t", env, "linux",
                List.of(new Source("https://example.org/linux.git", "refs/heads/" + branch)), 7, 1, branch, "g",
                40, Set.of("x86_64"), 2);
    }

    /** Events up to the snapshot. */
    public static List<WindowEvent> beforeSnapshot(String commit) {
        Job a = job(commit, "a", "main");
        Job b = job(commit, "b", "main");
        Job c = job(commit, "c", "next");
        JobKey ka = a.key();
        JobKey kb = b.key();
        return List.of(
                new WindowEvent.WindowReconciled(List.of(a, b, c), List.of(), List.of(), "startup", 1_700_000_000_000L),
                new WindowEvent.LeaseGranted("L1", 1, "farm1", 0, "x86_64", List.of(ka, kb), List.of(1, 1), "main",
                        80, 1_700_000_001_000L),
                new WindowEvent.LeaseEnded("L1", "infra_failure", List.of(kb), List.of(), List.of(kb), true, false,
                        1_700_000_060_000L),
                new WindowEvent.HostQuarantined("farm3", QUARANTINE_END, 1, "admin", 1_700_000_061_000L),
                new WindowEvent.HostQuarantined("farm4", QUARANTINE_END, 2, "policy", 1_700_000_062_000L),
                new WindowEvent.HostReleased("farm4", "admin", 1_700_000_063_000L),
                new WindowEvent.ConstraintLearned("t.ktest", 1_699_999_000_000L, "x86_64", 1_700_000_064_000L),
                new WindowEvent.FailuresReset(List.of(ka), 1_700_000_065_000L));
    }

    /** Events after the snapshot: a job added, one updated, one removed, a lease still running. */
    public static List<WindowEvent> afterSnapshot(String commit) {
        Job b = job(commit, "b", "main");
        Job c = job(commit, "c", "next");
        Job d = job(commit, "d", "next");
        Job heavier = new Job(b.key(), b.resultKey(), b.basename(), b.env(), b.repo(), b.sources(), 3, 1, "main",
                "g", 40, Set.of("x86_64"), 2);
        return List.of(
                new WindowEvent.WindowReconciled(List.of(d), List.of(heavier),
                        List.of(new WindowEvent.Removal(c.key(), "branch_gone")), "timer", 1_700_000_100_000L),
                new WindowEvent.LeaseGranted("L2", 2, "farm2", 1, "x86_64", List.of(b.key()), List.of(2), "main", 40,
                        1_700_000_101_000L));
    }

    /** The window's snapshot after {@link #beforeSnapshot}, as the actor writes it every 500 events. */
    public static Object snapshotAfter(List<WindowEvent> events, int quarantineAfter) {
        WindowState state = new WindowState(quarantineAfter);
        events.forEach(state::apply);
        return state.snapshot();
    }
}
