package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pending jobs' indexes, and jobs held for the claims of one journal write. */
class PendingJobsTest {
    private static Job job(String commit, String test, String subtest, int weight, int cost, String branch,
                           String arch) {
        return new Job(new JobKey(commit, test, subtest, "", "", ""), test + "." + subtest, test, new TreeMap<>(),
                "linux", List.of(), weight, 0, branch, "g", cost, Set.of(arch), 0);
    }

    @Test
    void aHeldJobStaysPendingButIsNoLongerOfferedUntilReleased() {
        PendingJobs p = new PendingJobs();
        Job a = job("c1", "t", "a", 0, 300, "main", "x86_64");
        Job b = job("c1", "t", "b", 0, 200, "main", "x86_64");
        Job c = job("c2", "t", "c", 1, 100, "main", "x86_64");
        List.of(a, b, c).forEach(p::put);
        p.hold(a.key());
        assertEquals(3, p.size(), "held is still pending: its grant is not applied yet");
        assertTrue(p.contains(a.key()));
        assertSame(a, p.get(a.key()));
        assertSame(b, p.firstEligible(j -> true));
        assertSame(b, p.firstEligible("main", j -> true));
        assertEquals(List.of(b), List.copyOf(p.sameBatch(b)));
        assertEquals(200, p.costOfCommit(b), "the held job's cost is spoken for");
        assertEquals(List.of(a, b, c), List.copyOf(p.inOrder()), "a snapshot would still hold it");
        p.releaseHeld();
        assertSame(a, p.firstEligible(j -> true));
        assertEquals(List.of(a, b), List.copyOf(p.sameBatch(b)));
        assertEquals(500, p.costOfCommit(b));
        assertEquals(0, p.held());
    }

    @Test
    void applyingTheGrantRemovesAHeldJobForGood() {
        PendingJobs p = new PendingJobs();
        Job a = job("c1", "t", "a", 0, 300, "main", "x86_64");
        Job b = job("c1", "t", "b", 0, 200, "main", "x86_64");
        List.of(a, b).forEach(p::put);
        p.hold(a.key());
        assertSame(a, p.remove(a.key()));
        assertEquals(1, p.size());
        assertEquals(0, p.held());
        p.releaseHeld();
        assertEquals(List.of(b), List.copyOf(p.inOrder()), "released nothing: the grant took it");
        assertEquals(200, p.costOfCommit(b));
        assertNull(p.remove(a.key()));
        p.put(a); // requeued after its lease ended
        assertEquals(List.of(a, b), List.copyOf(p.inOrder()));
        assertEquals(500, p.costOfCommit(b));
    }

    /**
     * Claims planned one after another within one write (their jobs held) get exactly the batches they would get if
     * each grant were applied before the next claim: random windows, arches, budgets and branches.
     */
    @Test
    void claimsOfOneWritePlanAsIfEachGrantWereAppliedBeforeTheNext() {
        Random rnd = new Random(15);
        for (int round = 0; round < 300; round++) {
            List<Job> jobs = new ArrayList<>();
            int n = 1 + rnd.nextInt(80);
            for (int i = 0; i < n; i++) {
                jobs.add(job("c" + rnd.nextInt(4), "t" + rnd.nextInt(3), "s" + i, rnd.nextInt(3), 1 + rnd.nextInt(400),
                        "b" + rnd.nextInt(2), rnd.nextInt(5) == 0 ? "aarch64" : "x86_64"));
            }
            WindowState held = new WindowState(3);
            WindowState applied = new WindowState(3);
            jobs.forEach(held.pending::put);
            jobs.forEach(applied.pending::put);
            FairShare shareHeld = new FairShare(rnd.nextBoolean() ? 0 : 60_000);
            FairShare shareApplied = new FairShare(shareHeld.enabled() ? 60_000 : 0);
            int budget = 1 + rnd.nextInt(900);
            int claims = 1 + rnd.nextInt(20);
            for (int c = 0; c < claims; c++) {
                String arch = rnd.nextInt(4) == 0 ? "aarch64" : "x86_64";
                long now = 1000L + c;
                ClaimPlanner.Plan h = ClaimPlanner.plan(held, shareHeld, "h", c, arch, budget, false, now);
                ClaimPlanner.Plan a = ClaimPlanner.plan(applied, shareApplied, "h", c, arch, budget, false, now);
                assertEquals(a == null ? null : a.jobs(), h == null ? null : h.jobs(), "round " + round + " claim " + c);
                if (h != null) {
                    h.jobs().forEach(j -> held.pending.hold(j.key()));
                    a.jobs().forEach(j -> applied.pending.remove(j.key()));
                    shareHeld.charge(h.seed().branch(), h.totalCost(), now);
                    shareApplied.charge(a.seed().branch(), a.totalCost(), now);
                }
            }
            assertEquals(applied.pending.size() + held.pending.held(), held.pending.size());
        }
    }
}
