package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.testing.InMemoryJournal;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.schema.status.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JobWindow actor on the in-memory journal, with a fixed refill source, probes for slots and results. */
class JobWindowTest {
    private static final ActorTestKit KIT = ActorTestKit.create("JobWindowTest", InMemoryJournal.config());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    static Job job(String commit, String test, String subtest, int weight, int cost, String branch, String... arches) {
        String stem = test.substring(0, test.length() - ".ktest".length());
        return new Job(new JobKey(commit, test, subtest, "", "", ""), stem + "." + subtest, stem, new TreeMap<>(),
                "linux", List.of(), weight, 0, branch, "g", cost, Set.of(arches), 0);
    }

    static Job job(String commit, String test, String subtest, int weight, int cost, String arch) {
        return job(commit, test, subtest, weight, cost, "main", arch);
    }

    /** A refill source over a settable job list that honours the window's exclusions; can be made to wait. */
    static final class FixedSource implements RefillSource {
        volatile List<Job> jobs;
        volatile CountDownLatch gate;
        final List<Set<String>> archesSeen = new CopyOnWriteArrayList<>();
        /** A permit per refill that started computing. */
        final Semaphore computing = new Semaphore(0);

        FixedSource(List<Job> jobs) {
            this.jobs = jobs;
        }

        @Override
        public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> arches, int window,
                                          Map<String, ArchConstraint> constraints, Set<String> pending) {
            computing.release();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            archesSeen.add(arches);
            List<Job> out = new ArrayList<>();
            Set<String> live = new HashSet<>();
            for (Job j0 : jobs) {
                live.add(j0.key().commit());
                ArchConstraint c = constraints.get(j0.key().test());
                Job j = c == null ? j0 : j0.withAllowedArches(GroupMatrix.constrained(j0.allowedArches(),
                        Optional.of(c.arch())));
                if (!excluded.test(j.key()) && j.allowedArches().stream().anyMatch(arches::contains)) {
                    out.add(j);
                }
            }
            out.sort(JobOrder.WINDOW);
            return new DesiredJobs.Result(out.subList(0, Math.min(window, out.size())), out.size(), Map.of(), live);
        }
    }

    private static SchedulerSettings settings(int budget, int retries) {
        return SchedulerSettings.defaults().withWindow(100, 0).withBudget(budget).withInfraRetries(retries)
                .withFairShare(Duration.ZERO);
    }

    record Fixture(ActorRef<JobWindow.Command> window, TestProbe<ResultsStore.Command> results, String id) {
        LeaseGrant claim(String host, int slot, String arch) {
            TestProbe<BatchOffer> p = KIT.createTestProbe();
            window.tell(new JobWindow.ClaimBatch(host, slot, arch, p.ref()));
            return p.expectMessageClass(BatchOffer.class).grant();
        }

        TestProbe<BatchOffer> parkedClaim(String host, int slot, String arch) {
            TestProbe<BatchOffer> p = KIT.createTestProbe();
            window.tell(new JobWindow.ClaimBatch(host, slot, arch, p.ref()));
            p.expectNoMessage(Duration.ofMillis(300));
            return p;
        }

        void end(LeaseGrant g, LeaseEndKind outcome, LeaseEndReason reason, Map<String, LeaseEndReason> unreached,
                 Set<String> verdicts) {
            window.tell(new JobWindow.EndLease(g.leaseId(), outcome, reason, unreached, verdicts));
        }

        JobWindow.LeaseSummary leases() {
            TestProbe<JobWindow.LeaseSummary> p = KIT.createTestProbe();
            window.tell(new JobWindow.GetLeases(p.ref()));
            return p.receiveMessage();
        }

        JobWindow.QueueSummary queue() {
            TestProbe<JobWindow.QueueSummary> p = KIT.createTestProbe();
            window.tell(new JobWindow.GetQueue(p.ref()));
            return p.receiveMessage();
        }

        /** Lease ends are group-committed, so their effect on host health shows up a little later. */
        HostHealth awaitHost(String host, Predicate<HostHealth> condition) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            HostHealth h = leases().hosts().get(host);
            while ((h == null || !condition.test(h)) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                h = leases().hosts().get(host);
            }
            return h;
        }
    }

    private static Fixture start(SchedulerSettings settings, RefillSource source, String id) {
        return start(settings, source, id, new ResultsIndex());
    }

    private static Fixture start(SchedulerSettings settings, RefillSource source, String id, ResultsIndex index) {
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        ActorRef<JobWindow.Command> window = KIT.spawn(JobWindow.create(id, settings, source, results.ref(),
                index, CoordinatorMetrics.standalone()));
        return new Fixture(window, results, id);
    }

    private static Fixture start(SchedulerSettings settings, RefillSource source) {
        return start(settings, source, "job-window-" + UUID.randomUUID());
    }

    private static List<String> subtests(LeaseGrant g) {
        return g.jobs().stream().map(j -> j.key().subtest()).toList();
    }

    @Test
    void aQuarantineLongerThanTheSchedulersLimitIsKeptAndTheWindowGoesOn() {
        String id = "job-window-" + UUID.randomUUID();
        Fixture f = start(settings(600, 2), new FixedSource(List.of()), id);
        long year = 365L * 24 * 3600; // Pekko's scheduler takes at most about 248 days
        TestProbe<HostHealth> reply = KIT.createTestProbe();
        f.window().tell(new JobWindow.QuarantineHost("farm1", year, reply.ref()));
        HostHealth h = reply.receiveMessage(Duration.ofSeconds(5));
        assertTrue(h.until() > System.currentTimeMillis() + (year - 60) * 1000, "quarantined for the year");
        assertEquals(List.of("farm1"), f.queue().quarantinedHosts());
        KIT.stop(f.window());
        Fixture again = start(settings(600, 2), new FixedSource(List.of()), id);
        assertEquals(List.of("farm1"), again.queue().quarantinedHosts(), "recovered, timer set again");
    }

    @Test
    void parksClaimsUntilJobsForTheSlotsArchExistThenPacksByBatchKeyAndBudget() {
        FixedSource source = new FixedSource(List.of(
                job("c2", "t.ktest", "a", 0, 300, "x86_64"),
                job("c2", "t.ktest", "b", 0, 200, "x86_64"),
                job("c2", "u.ktest", "a", 0, 10, "x86_64"),
                job("c2", "t.ktest", "c", 0, 200, "x86_64"),
                job("c1", "t.ktest", "a", 1, 10, "x86_64"),
                job("c2", "arm.ktest", "a", 0, 10, "aarch64")));
        Fixture f = start(settings(600, 2), source);
        TestProbe<BatchOffer> slot0 = f.parkedClaim("h", 0, "x86_64");
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        BatchOffer offer = slot0.expectMessageClass(BatchOffer.class);
        assertEquals(List.of("a", "b"), subtests(offer.grant()),
                "same commit and test file, in window order (the commit's longest first); c no longer fits 600 s");
        assertEquals("c2", offer.grant().commit());
        ResultsStore.Claim claim = f.results().expectMessageClass(ResultsStore.Claim.class);
        assertEquals(offer.grant().leaseId(), claim.leaseId());
        assertEquals(offer.grant().epoch(), claim.epoch());
        LeaseGrant second = f.claim("h", 1, "x86_64");
        assertEquals(List.of("c"), subtests(second), "the first eligible job seeds; other files or commits never join");
        assertTrue(second.epoch() > offer.grant().epoch(), "epochs strictly increase");
        f.parkedClaim("armhost", 0, "aarch64");
    }

    /** The queue once no refill runs and {@code pending} jobs wait. */
    private static JobWindow.QueueSummary settled(Fixture f, int pending) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JobWindow.QueueSummary q = f.queue();
        while (q.refilling() || q.pending() != pending) {
            assertTrue(System.nanoTime() < deadline, "expected " + pending + " pending and no refill: " + q);
            Thread.onSpinWait();
            q = f.queue();
        }
        return q;
    }

    @Test
    void refillsWhenAClaimLeavesPendingAtOrBelowRefillAt() throws Exception {
        // One job per test file, so each claim takes exactly one job.
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            jobs.add(job("c1", "t" + i + ".ktest", "a", 0, 30, "x86_64"));
        }
        FixedSource source = new FixedSource(jobs);
        Fixture f = start(SchedulerSettings.defaults().withWindow(10, 3).withBudget(600).withInfraRetries(1)
                .withFairShare(Duration.ZERO), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        // Quiet first: the startup and new-slots refills are done and no other is due.
        while (source.computing.tryAcquire(300, TimeUnit.MILLISECONDS)) {
            Thread.onSpinWait();
        }
        JobWindow.QueueSummary start = settled(f, 6);
        assertEquals(3, start.refillAt());
        String before = start.lastRefill().trigger();

        f.claim("h", 0, "x86_64");
        f.claim("h", 1, "x86_64");
        settled(f, 4);
        assertFalse(source.computing.tryAcquire(300, TimeUnit.MILLISECONDS), "4 pending is above refill_at: no refill, "
                + f.queue());
        assertEquals(before, f.queue().lastRefill().trigger());

        f.claim("h", 2, "x86_64");
        assertTrue(source.computing.tryAcquire(10, TimeUnit.SECONDS), "3 pending is at refill_at: a refill starts");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"low_water".equals(f.queue().lastRefill().trigger())) {
            assertTrue(System.nanoTime() < deadline, "the low-water refill was applied: " + f.queue());
            Thread.onSpinWait();
        }
        // The refill found nothing new (the source has no more jobs): pending stays low, and the next claim does
        // not refill again within fetch_interval (scheduling.md §4.1).
        settled(f, 3);
        f.claim("h", 3, "x86_64");
        assertFalse(source.computing.tryAcquire(500, TimeUnit.MILLISECONDS),
                "one low-water refill per fetch_interval while pending stays at or below refill_at");
    }

    @Test
    void retriesAFailedJobOnAnotherSlotThenFinalisesFailedToRun() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64"),
                job("c1", "t.ktest", "b", 0, 30, "x86_64")));
        Fixture f = start(settings(600, 1), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant g1 = f.claim("h", 0, "x86_64");
        f.results().expectMessageClass(ResultsStore.Claim.class);
        // a got its verdict; b was never reached because the checkout failed.
        f.end(g1, LeaseEndKind.INFRA_FAILURE, LeaseEndReason.CHECKOUT_FAILED,
                Map.of("t.b", LeaseEndReason.CHECKOUT_FAILED), Set.of("t.a"));
        assertEquals(List.of("t.b"), f.results().expectMessageClass(ResultsStore.Release.class).keys());
        f.parkedClaim("h", 0, "x86_64"); // the slot where b failed does not get it again
        LeaseGrant g2 = f.claim("h", 1, "x86_64");
        assertEquals(List.of("b"), subtests(g2), "a is decided");
        assertEquals(2, g2.attempt());
        f.results().expectMessageClass(ResultsStore.Claim.class);
        f.end(g2, LeaseEndKind.EXPIRED, LeaseEndReason.LEASE_TIMEOUT, Map.of(), Set.of());
        ResultsStore.FailedToRun ftr = f.results().expectMessageClass(ResultsStore.FailedToRun.class);
        assertEquals("t.b", ftr.key());
        assertEquals("lease_timeout", ftr.reason());
        f.parkedClaim("h", 2, "x86_64");
    }

    @Test
    void aParkedSlotGetsAJobRequeuedWhileTheFailingSlotClaimsAgainInTheSameBreath() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64")));
        Fixture f = start(settings(600, 2), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant g = f.claim("h", 0, "x86_64");
        TestProbe<BatchOffer> idle = f.parkedClaim("h", 1, "x86_64");
        // The executor ends its lease and claims again at once: both land in one group commit.
        TestProbe<BatchOffer> again = KIT.createTestProbe();
        f.window().tell(new JobWindow.EndLease(g.leaseId(), LeaseEndKind.INFRA_FAILURE, LeaseEndReason.DEPS_FAILED,
                Map.of(), Set.of()));
        f.window().tell(new JobWindow.ClaimBatch("h", 0, "x86_64", again.ref()));
        assertEquals(List.of("a"), subtests(idle.expectMessageClass(BatchOffer.class, Duration.ofSeconds(5)).grant()),
                "the requeued job goes to the parked slot, not only at the next refill");
        again.expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void aJobThatFailedOnAHostGoesToAnotherHostWhenOneIsUp() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64")));
        Fixture f = start(settings(600, 2), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h1", "x86_64", "h2", "x86_64")));
        LeaseGrant g = f.claim("h1", 0, "x86_64");
        f.end(g, LeaseEndKind.INFRA_FAILURE, LeaseEndReason.RUNNER_FAILED, Map.of(), Set.of());
        f.parkedClaim("h1", 1, "x86_64");
        assertEquals(List.of("a"), subtests(f.claim("h2", 0, "x86_64")));
    }

    @Test
    void aSlotThatLostItsLeaseGetsItsRequeuedNewerJobsBeforeOlderPendingOnes() {
        FixedSource source = new FixedSource(List.of(job("new", "t.ktest", "a", 0, 30, "x86_64"),
                job("new", "t.ktest", "b", 0, 30, "x86_64"), job("old", "t.ktest", "x", 5, 30, "x86_64")));
        Fixture f = start(settings(600, 2), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant g = f.claim("h", 0, "x86_64");
        assertEquals(List.of("a", "b"), subtests(g));
        // The executor ends the revoked lease and claims again at once, as it does after an admin revoke.
        TestProbe<BatchOffer> again = KIT.createTestProbe();
        f.window().tell(new JobWindow.EndLease(g.leaseId(), LeaseEndKind.REVOKED, LeaseEndReason.ADMIN_REVOKE,
                Map.of(), Set.of()));
        f.window().tell(new JobWindow.ClaimBatch("h", 0, "x86_64", again.ref()));
        LeaseGrant next = again.expectMessageClass(BatchOffer.class).grant();
        assertEquals("new", next.commit());
        assertEquals(List.of("a", "b"), subtests(next));
        assertEquals(1, next.attempt(), "a revoke does not count as an attempt");
    }

    @Test
    void failuresThatAreNotTheJobsFaultDoNotCountAgainstIt() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64")));
        Fixture f = start(settings(600, 0), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        for (LeaseEndReason reason : List.of(LeaseEndReason.WORKER_SHUTDOWN, LeaseEndReason.DISPATCH_TIMEOUT,
                LeaseEndReason.COORDINATOR_FAILOVER, LeaseEndReason.ADMIN_REVOKE)) {
            LeaseGrant g = f.claim("h", 0, "x86_64");
            assertEquals(1, g.attempt(), reason.wireName());
            f.end(g, LeaseEndKind.REFUSED, reason, Map.of(), Set.of());
        }
        List<ResultsStore.Command> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seen.add(f.results().receiveMessage()); // a Claim and a Release per lease
        }
        assertTrue(seen.stream().noneMatch(m -> m instanceof ResultsStore.FailedToRun), seen.toString());
        f.results().expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void threeInfrastructureFailuresInARowQuarantineTheHostUntilTheBackOffEnds() {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(job("c" + i, "t.ktest", "a", i, 30, "x86_64"));
        }
        Fixture f = start(settings(30, 10).withQuarantine(3, Duration.ofSeconds(2), Duration.ofSeconds(60)),
                new FixedSource(jobs));
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        for (int i = 0; i < 3; i++) {
            LeaseGrant g = f.claim("h", i, "x86_64");
            f.end(g, LeaseEndKind.INFRA_FAILURE,
                    i == 1 ? LeaseEndReason.CHECKOUT_FAILED : LeaseEndReason.RUNNER_FAILED, Map.of(), Set.of());
            if (i == 1) {
                // A commit-side failure never counts for the host (README decision 3): still two to go.
                assertEquals(1, f.awaitHost("h", x -> x.consecutive() == 1).consecutive());
            }
        }
        LeaseGrant fourth = f.claim("h", 3, "x86_64");
        f.end(fourth, LeaseEndKind.INFRA_FAILURE, LeaseEndReason.DISK_FULL, Map.of(), Set.of());
        HostHealth h = f.awaitHost("h", x -> x.level() == 1);
        assertTrue(h.quarantinedAt(System.currentTimeMillis()), h.toString());
        assertEquals(1, h.level());
        TestProbe<BatchOffer> parked = f.parkedClaim("h", 4, "x86_64");
        BatchOffer after = parked.expectMessageClass(BatchOffer.class, Duration.ofSeconds(10));
        assertTrue(after.grant().jobs().size() >= 1, "served once the quarantine ended");
        assertEquals(0, f.leases().hosts().get("h").until());
    }

    @Test
    void fairShareServesTheBranchThatGotLessEvenWhenAnotherHasNewerJobs() {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(job("a" + i, "t.ktest", "x", i, 30, "storm", "x86_64"));
        }
        for (int i = 0; i < 2; i++) {
            jobs.add(job("b" + i, "t.ktest", "x", 5 + i, 30, "quiet", "x86_64"));
        }
        Fixture fair = start(settings(30, 2).withFairShare(Duration.ofHours(1)), new FixedSource(jobs));
        fair.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.add(fair.claim("h", i, "x86_64").commit());
        }
        assertEquals(List.of("a0", "b0", "a1", "b1"), order, "usage ties go to the earlier job in window order");

        Fixture unfair = start(settings(30, 2), new FixedSource(jobs));
        unfair.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        List<String> plain = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            plain.add(unfair.claim("h", i, "x86_64").commit());
        }
        assertEquals(List.of("a0", "a1", "a2", "a3"), plain, "fair_share_half_life = 0: window order only");
    }

    @Test
    void afterAForcePushNoJobOfTheOldHistoryIsLeasedAndItIsCancelled() throws Exception {
        FixedSource source = new FixedSource(List.of(job("old", "t.ktest", "a", 0, 30, "x86_64"),
                job("old", "t.ktest", "b", 0, 30, "x86_64")));
        Fixture f = start(settings(30, 2), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        assertEquals("old", f.claim("h", 0, "x86_64").commit());
        CountDownLatch gate = new CountDownLatch(1);
        source.gate = gate;
        source.jobs = List.of(job("new", "t.ktest", "a", 0, 30, "x86_64"));
        f.window().tell(new JobWindow.TipsChanged("main", "old", "new", true));
        TestProbe<BatchOffer> waiting = f.parkedClaim("h", 1, "x86_64");
        source.gate = null;
        gate.countDown();
        BatchOffer offer = waiting.expectMessageClass(BatchOffer.class, Duration.ofSeconds(10));
        assertEquals("new", offer.grant().commit(), "old/b left the branch and was cancelled, never leased");
        f.parkedClaim("h", 2, "x86_64");
    }

    @Test
    void anArchMismatchLearnsTheConstraintAndTheJobRunsOnTheDeclaredArch() {
        FixedSource source = new FixedSource(List.of(job("c1", "arm.ktest", "a", 0, 30, "main", "x86_64",
                "aarch64")));
        Fixture f = start(settings(30, 0), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("x", "x86_64", "y", "aarch64")));
        LeaseGrant g = f.claim("x", 0, "x86_64");
        f.window().tell(new JobWindow.EndLease(g.leaseId(), LeaseEndKind.ARCH_MISMATCH, LeaseEndReason.ARCH_MISMATCH,
                Map.of(),
                Set.of(), "aarch64", ""));
        f.parkedClaim("x", 0, "x86_64");
        LeaseGrant arm = f.claim("y", 0, "aarch64");
        assertEquals(1, arm.attempt(), "an arch mismatch is no failure");
    }

    @Test
    void aRefillComputedBeforeAnArchMismatchDoesNotWidenTheJobAgain() throws Exception {
        FixedSource source = new FixedSource(List.of(job("c1", "arm.ktest", "a", 0, 30, "main", "x86_64",
                "aarch64")));
        Fixture f = start(settings(30, 0), source);
        f.window().tell(new JobWindow.HostsChanged(Map.of("x", "x86_64", "y", "aarch64")));
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (JobWindow.QueueSummary q = f.queue(); q.refilling() || q.pending() != 1; q = f.queue()) {
            assertTrue(System.nanoTime() < settle, "the job is pending and no refill runs: " + q);
            Thread.sleep(20);
        }
        // A refill starts while the job is pending, with the constraints known so far, and is held while the job
        // is leased and its lease ends in an arch mismatch.
        CountDownLatch release = new CountDownLatch(1);
        source.gate = release;
        source.computing.drainPermits();
        f.window().tell(new JobWindow.RequestRefill("test"));
        assertTrue(source.computing.tryAcquire(10, TimeUnit.SECONDS), "the refill started");
        LeaseGrant g = f.claim("x", 0, "x86_64");
        f.window().tell(new JobWindow.EndLease(g.leaseId(), LeaseEndKind.ARCH_MISMATCH, LeaseEndReason.ARCH_MISMATCH,
                Map.of(),
                Set.of(), "aarch64", ""));
        f.leases(); // the lease end is applied
        source.gate = null;
        long releasedAt = System.currentTimeMillis();
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (JobWindow.QueueSummary q = f.queue(); q.refilling() || q.lastRefill() == null
                || q.lastRefill().at() < releasedAt; q = f.queue()) {
            assertTrue(System.nanoTime() < deadline, "the held refill was applied: " + q);
            Thread.sleep(20);
        }
        f.parkedClaim("x", 0, "x86_64");
        assertEquals("c1", f.claim("y", 0, "aarch64").commit());
    }

    @Test
    void aRestartedWindowKeepsPendingJobsLeasesAndEpochsAndEndsLeasesNoWorkerResumes() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64"),
                job("c2", "t.ktest", "a", 1, 30, "x86_64"), job("c3", "t.ktest", "a", 2, 30, "x86_64")));
        SchedulerSettings s = settings(30, 2).withLeaseTimeout(Duration.ofSeconds(2), Duration.ofMillis(500));
        String id = "job-window-" + UUID.randomUUID();
        Fixture first = start(s, source, id);
        first.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant kept = first.claim("h", 0, "x86_64");
        LeaseGrant lost = first.claim("h", 1, "x86_64");
        KIT.stop(first.window());

        source.gate = new CountDownLatch(1); // no refill: what the window holds comes from its journal
        Fixture second = start(s, source, id);
        JobWindow.LeaseSummary recovered = second.leases();
        assertEquals(Set.of(kept.leaseId(), lost.leaseId()),
                Set.copyOf(recovered.leases().stream().map(LeaseGrant::leaseId).toList()));
        TestProbe<JobWindow.ResumeDecision> decision = KIT.createTestProbe();
        second.window().tell(new JobWindow.ResumeLeases("h", List.of(new JobWindow.ActiveLease(0, kept.leaseId(),
                kept.epoch()), new JobWindow.ActiveLease(1, "gone", 1)), decision.ref()));
        JobWindow.ResumeDecision d = decision.receiveMessage();
        assertEquals(List.of(kept.leaseId()), d.resume().stream().map(LeaseGrant::leaseId).toList());
        assertEquals(List.of("gone"), d.abandon());
        // The host did not report the other lease: it ends at once, its job back in pending, uncounted.
        ResultsStore.Release release = second.results().expectMessageClass(ResultsStore.Release.class);
        assertEquals(lost.commit(), release.sha());
        assertEquals("coordinator_failover", release.reason());
        second.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        source.gate.countDown();
        source.gate = null;
        LeaseGrant next = second.claim("h", 2, "x86_64");
        assertTrue(next.epoch() > lost.epoch(), "epochs keep growing across the restart");
        assertEquals(1, next.attempt());
        assertEquals(lost.commit(), next.commit(), "the released job keeps its place in window order");
    }

    @Test
    void recoveredLeasesNobodyResumesEndWithCoordinatorFailoverAfterTheLeaseTimeout() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64")));
        SchedulerSettings s = settings(30, 2).withLeaseTimeout(Duration.ofSeconds(2), Duration.ofMillis(500));
        String id = "job-window-" + UUID.randomUUID();
        Fixture first = start(s, source, id);
        first.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant g = first.claim("h", 0, "x86_64");
        KIT.stop(first.window());
        Fixture second = start(s, source, id);
        ResultsStore.Release release = second.results().expectMessageClass(ResultsStore.Release.class,
                Duration.ofSeconds(10));
        assertEquals(List.of(g.first().resultKey()), release.keys());
        assertEquals("coordinator_failover", release.reason());
        assertTrue(second.leases().leases().isEmpty());
    }

    @Test
    void aRecoveredLeaseEndedByItsHostsHelloRequeuesOnlyTheSubtestsWithoutAVerdict() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 10, "x86_64"),
                job("c1", "t.ktest", "b", 0, 10, "x86_64"), job("c1", "t.ktest", "c", 0, 10, "x86_64")));
        SchedulerSettings s = settings(30, 2).withLeaseTimeout(Duration.ofSeconds(60), Duration.ofSeconds(10));
        String id = "job-window-" + UUID.randomUUID();
        ResultsIndex index = new ResultsIndex();
        Fixture first = start(s, source, id, index);
        first.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant g = first.claim("h", 0, "x86_64");
        assertEquals(List.of("a", "b", "c"), subtests(g));
        // t.a got its verdict, then the coordinator died; the worker rejoins the new one without the lease.
        index.replace("c1", Map.of("t.a", ResultRecord.imported("t.a", Status.PASSED, 1, 1),
                "t.b", ResultRecord.claimed("t.b", g.leaseId(), "h", 0, "x86_64", 1, 1)));
        KIT.stop(first.window());
        source.gate = new CountDownLatch(1); // no refill, which would drop t.a from pending on its own
        Fixture second = start(s, source, id, index);
        TestProbe<JobWindow.ResumeDecision> decision = KIT.createTestProbe();
        second.window().tell(new JobWindow.ResumeLeases("h", List.of(), decision.ref()));
        decision.receiveMessage();
        ResultsStore.Release release = second.results().expectMessageClass(ResultsStore.Release.class);
        assertEquals("coordinator_failover", release.reason());
        assertEquals(List.of("t.b", "t.c"), release.keys().stream().sorted().toList());
        second.window().tell(new JobWindow.HostsChanged(Map.of("h", "x86_64")));
        LeaseGrant next = second.claim("h", 0, "x86_64");
        assertEquals(List.of("b", "c"), subtests(next), "t.a keeps its verdict and is not run again");
        source.gate.countDown();
    }
}
