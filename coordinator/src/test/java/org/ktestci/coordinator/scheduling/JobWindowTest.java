package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.protocol.ExecutorMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobWindowTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static Job job(String commit, String test, String subtest, int weight, int cost, String arch) {
        String stem = test.substring(0, test.length() - ".ktest".length());
        return new Job(new JobKey(commit, test, subtest, "", "", ""), stem + "." + subtest, stem, new TreeMap<>(),
                "linux", List.of(), weight, "main", "g", cost, Set.of(arch), 0);
    }

    /** A refill source over a fixed job list that honours the window's exclusions, and records each call. */
    static final class FixedSource implements RefillSource {
        final List<Job> jobs;
        final List<Set<String>> archesSeen = new CopyOnWriteArrayList<>();

        FixedSource(List<Job> jobs) {
            this.jobs = jobs;
        }

        @Override
        public DesiredJobs.Result compute(java.util.function.Predicate<JobKey> excluded, Set<String> arches, int window) {
            archesSeen.add(arches);
            List<Job> out = new ArrayList<>();
            for (Job j : jobs) {
                if (!excluded.test(j.key()) && j.allowedArches().stream().anyMatch(arches::contains)) {
                    out.add(j);
                }
            }
            out.sort(JobOrder.WINDOW);
            return new DesiredJobs.Result(out.subList(0, Math.min(window, out.size())), out.size(), Map.of());
        }
    }

    private static SchedulerSettings settings(int budget, int retries) {
        return new SchedulerSettings(100, 0, budget, 30, 1200, retries, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofMinutes(10));
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
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        ActorRef<JobWindow.Command> window = KIT.spawn(JobWindow.create(settings(600, 2), source, results.ref()));
        TestProbe<ExecutorMessage> slot0 = KIT.createTestProbe();
        window.tell(new JobWindow.ClaimBatch("h", 0, "x86_64", slot0.ref()));
        slot0.expectNoMessage(Duration.ofMillis(300));
        window.tell(new JobWindow.ArchesChanged(Set.of("x86_64")));
        BatchOffer offer = slot0.expectMessageClass(BatchOffer.class);
        assertEquals(List.of("b", "c"), offer.grant().jobs().stream().map(j -> j.key().subtest()).toList(),
                "same commit and test file, in window order (cheaper first at equal weight); a no longer fits 600 s");
        assertEquals("c2", offer.grant().commit());
        ResultsStore.Claim claim = results.expectMessageClass(ResultsStore.Claim.class);
        assertEquals(offer.grant().leaseId(), claim.leaseId());
        TestProbe<ExecutorMessage> slot1 = KIT.createTestProbe();
        window.tell(new JobWindow.ClaimBatch("h", 1, "x86_64", slot1.ref()));
        BatchOffer second = slot1.expectMessageClass(BatchOffer.class);
        assertEquals(List.of("a"), second.grant().jobs().stream().map(j -> j.key().subtest()).toList(),
                "the first eligible job seeds; jobs of other test files or commits never join it");
        assertTrue(second.grant().epoch() > offer.grant().epoch(), "epochs strictly increase");
        TestProbe<ExecutorMessage> arm = KIT.createTestProbe();
        window.tell(new JobWindow.ClaimBatch("armhost", 0, "aarch64", arm.ref()));
        arm.expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void requeuesInfraFailuresThenFinalisesFailedToRun() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64"),
                job("c1", "t.ktest", "b", 0, 30, "x86_64")));
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        ActorRef<JobWindow.Command> window = KIT.spawn(JobWindow.create(settings(600, 1), source, results.ref()));
        window.tell(new JobWindow.ArchesChanged(Set.of("x86_64")));
        TestProbe<ExecutorMessage> slot = KIT.createTestProbe();
        window.tell(new JobWindow.ClaimBatch("h", 0, "x86_64", slot.ref()));
        LeaseGrant g1 = slot.expectMessageClass(BatchOffer.class).grant();
        results.expectMessageClass(ResultsStore.Claim.class);
        // a got its verdict; b was never reached because the checkout failed.
        window.tell(new JobWindow.LeaseEnded(g1.leaseId(), "INFRA_FAILURE", "checkout_failed",
                Map.of("t.b", "checkout_failed"), Set.of("t.a")));
        ResultsStore.Release release = results.expectMessageClass(ResultsStore.Release.class);
        assertEquals(List.of("t.b"), release.keys());
        window.tell(new JobWindow.ClaimBatch("h", 0, "x86_64", slot.ref()));
        LeaseGrant g2 = slot.expectMessageClass(BatchOffer.class).grant();
        assertEquals(List.of("b"), g2.jobs().stream().map(j -> j.key().subtest()).toList(), "a is decided");
        assertEquals(2, g2.attempt());
        results.expectMessageClass(ResultsStore.Claim.class);
        window.tell(new JobWindow.LeaseEnded(g2.leaseId(), "EXPIRED", "lease_timeout", Map.of(), Set.of()));
        ResultsStore.FailedToRun ftr = results.expectMessageClass(ResultsStore.FailedToRun.class);
        assertEquals("t.b", ftr.key());
        assertEquals("lease_timeout", ftr.reason());
        window.tell(new JobWindow.ClaimBatch("h", 0, "x86_64", slot.ref()));
        slot.expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void failuresThatAreNotTheJobsFaultDoNotCountAgainstIt() {
        FixedSource source = new FixedSource(List.of(job("c1", "t.ktest", "a", 0, 30, "x86_64")));
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        ActorRef<JobWindow.Command> window = KIT.spawn(JobWindow.create(settings(600, 0), source, results.ref()));
        window.tell(new JobWindow.ArchesChanged(Set.of("x86_64")));
        TestProbe<ExecutorMessage> slot = KIT.createTestProbe();
        for (int i = 0; i < 3; i++) {
            window.tell(new JobWindow.ClaimBatch("h", 0, "x86_64", slot.ref()));
            LeaseGrant g = slot.expectMessageClass(BatchOffer.class).grant();
            assertEquals(1, g.attempt());
            window.tell(new JobWindow.LeaseEnded(g.leaseId(), "REFUSED", "worker_shutdown", Map.of(), Set.of()));
        }
        List<ResultsStore.Command> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(results.receiveMessage()); // a Claim and a Release per lease
        }
        assertTrue(seen.stream().noneMatch(m -> m instanceof ResultsStore.FailedToRun), seen.toString());
        results.expectNoMessage(Duration.ofMillis(300));
    }
}
