package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch building and eligibility of scheduling.md §5, on a window state filled by hand. */
class ClaimPlannerTest {
    private static Job job(String commit, String test, String subtest, int weight, int cost, int index, String arch) {
        return new Job(new JobKey(commit, test, subtest, "", "", ""), test + "." + subtest, test, new TreeMap<>(),
                "linux", List.of(), weight, 0, "main", "g", cost, Set.of(arch), index);
    }

    private static WindowState state(Job... jobs) {
        WindowState s = new WindowState(3);
        for (Job j : jobs) {
            s.pending.put(j);
        }
        return s;
    }

    private static List<String> plan(WindowState s, String arch, int budget) {
        ClaimPlanner.Plan p = ClaimPlanner.plan(s, new FairShare(0), "h", 0, arch, budget, false, 1000);
        return p == null ? null : p.jobs().stream().map(j -> j.key().subtest()).toList();
    }

    @Test
    void packsTheSeedsBatchKeyInWindowOrderWithinBudgetSkippingWhatDoesNotFit() {
        WindowState s = state(
                job("c1", "t.ktest", "a", 0, 300, 0, "x86_64"),
                job("c1", "u.ktest", "x", 0, 10, 0, "x86_64"),
                job("c1", "t.ktest", "b", 0, 400, 1, "x86_64"),
                job("c1", "t.ktest", "c", 0, 200, 2, "x86_64"),
                job("c2", "t.ktest", "a", 0, 10, 0, "x86_64"),
                job("c1", "t.ktest", "d", 0, 100, 3, "x86_64"));
        // Window order puts a commit's longest jobs first: b (400) seeds the batch, a (300) does not fit beside
        // it, c (200) fills the budget, d (100) no longer fits; u.ktest's x has another batch key.
        assertEquals(List.of("b", "c"), plan(s, "x86_64", 600));
    }

    private static List<String> planWithTail(WindowState s, TailBudget tail, int slots) {
        ClaimPlanner.Plan p = ClaimPlanner.plan(s, new FairShare(0), "h", 0, "x86_64", 600, tail, slots, false, 1000);
        return p.jobs().stream().map(j -> j.key().subtest()).toList();
    }

    @Test
    void inItsTailACommitsBatchesGetItsShareOfWhatIsLeftButNotLessThanTheFloor() {
        // c1's wanted jobs are all pending (c0 ranks after them): 8 × 100 s left over 4 slots = 200 s per batch.
        Job[] c1 = new Job[8];
        for (int i = 0; i < 8; i++) {
            c1[i] = job("c1", "t.ktest", "s" + i, 0, 100, i, "x86_64");
        }
        WindowState tail = state(c1);
        tail.pending.put(job("c0", "t.ktest", "old", 1, 100, 0, "x86_64"));
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5"), planWithTail(tail, TailBudget.OFF, 4),
                "off: the full 600 s");
        assertEquals(List.of("s0", "s1"), planWithTail(tail, new TailBudget(1, 60), 4));
        assertEquals(List.of("s0"), planWithTail(tail, new TailBudget(2, 60), 4), "800 / (2 × 4) = 100 s");
        assertEquals(List.of("s0", "s1", "s2"), planWithTail(tail, new TailBudget(4, 300), 4), "the floor: 300 s");
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5"), planWithTail(tail, new TailBudget(1, 60), 1),
                "one slot: its share is everything, capped by subtest_duration_max");

        // Cut off by the window (its last job is c1's): not the tail yet, full budget whatever is pending.
        WindowState cut = state(c1);
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5"), planWithTail(cut, new TailBudget(1, 60), 4));
    }

    @Test
    void pendingKeepsEachCommitsEstimatedSecondsAsJobsComeAndGo() {
        WindowState s = state(job("c1", "t.ktest", "a", 0, 100, 0, "x86_64"),
                job("c1", "u.ktest", "b", 0, 50, 0, "x86_64"), job("c1", "t.ktest", "c", 3, 7, 1, "x86_64"));
        Job probe = job("c1", "t.ktest", "x", 0, 1, 9, "x86_64");
        assertEquals(150, s.pending.costOfCommit(probe), "per weight and commit, across tests");
        s.pending.remove(new JobKey("c1", "t.ktest", "a", "", "", ""));
        s.pending.put(job("c1", "u.ktest", "b", 0, 60, 0, "x86_64")); // replaced with a new estimate
        assertEquals(60, s.pending.costOfCommit(probe));
        s.pending.remove(new JobKey("c1", "u.ktest", "b", "", "", ""));
        assertEquals(0, s.pending.costOfCommit(probe));
    }

    @Test
    void alwaysTakesTheSeedEvenOverBudget() {
        WindowState s = state(job("c1", "t.ktest", "huge", 0, 5000, 0, "x86_64"),
                job("c1", "t.ktest", "b", 1, 1, 1, "x86_64"));
        assertEquals(List.of("huge"), plan(s, "x86_64", 600));
    }

    @Test
    void aSlotOnlyTakesJobsOfItsArch() {
        WindowState s = state(job("c1", "arm.ktest", "a", 0, 1, 0, "aarch64"),
                job("c2", "x.ktest", "a", 5, 1, 0, "x86_64"));
        assertEquals(List.of("a"), plan(s, "x86_64", 600));
        assertEquals("c2", ClaimPlanner.plan(s, new FairShare(0), "h", 0, "x86_64", 600, false, 0).seed().key().commit());
        assertNull(plan(state(job("c1", "arm.ktest", "a", 0, 1, 0, "aarch64")), "x86_64", 600));
    }

    @Test
    void aFailedHostIsSkippedWhileAnotherIsUpAndOnlyTheFailedSlotOtherwise() {
        Job j = job("c1", "t.ktest", "a", 0, 1, 0, "x86_64");
        JobFailures f = JobFailures.none().plus("h", 2, 0);
        assertFalse(ClaimPlanner.eligible(j, f, "h", 0, "x86_64", true), "another host of the arch is up");
        assertTrue(ClaimPlanner.eligible(j, f, "h", 0, "x86_64", false), "no other host: another slot will do");
        assertFalse(ClaimPlanner.eligible(j, f, "h", 2, "x86_64", false), "but never the slot where it failed");
        assertTrue(ClaimPlanner.eligible(j, f, "g", 2, "x86_64", true));
    }

    @Test
    void aRerunGoesToAnotherHostWhileOneIsUpElseToTheSameHost() {
        Job rerun = job("c1", "t.ktest", "a", 0, 1, 0, "x86_64").asObservation(1, -1, "h");
        WindowState s = state(rerun, job("c2", "t.ktest", "b", 5, 1, 0, "x86_64"));
        assertEquals("c2", ClaimPlanner.plan(s, new FairShare(0), "h", 0, "x86_64", 600, true, 0).seed().key().commit(),
                "h ran the first verdict and another host is up: the re-run waits for it");
        assertEquals(rerun.key(), ClaimPlanner.plan(s, new FairShare(0), "other", 0, "x86_64", 600, true, 0).seed().key());
        assertEquals(rerun.key(), ClaimPlanner.plan(s, new FairShare(0), "h", 0, "x86_64", 600, false, 0).seed().key(),
                "no other host up: the same host re-runs it");
        assertEquals(1, rerun.key().observation());
        assertEquals(-1, rerun.weight());
    }
}
