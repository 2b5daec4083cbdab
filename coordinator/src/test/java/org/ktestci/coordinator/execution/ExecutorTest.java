package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictOutcome;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static SchedulerSettings settings(Duration leaseTimeout) {
        return SchedulerSettings.defaults().withLeaseTimeout(leaseTimeout, Duration.ofSeconds(1));
    }

    private static LeaseGrant grant(String leaseId, long epoch) {
        List<Job> jobs = List.of("a", "b").stream().map(s -> new Job(new JobKey(SHA, "t.ktest", s, "", "", ""),
                "t." + s, "t", new TreeMap<>(), "linux", List.of(), 0, 0, "main", "g", 30, Set.of("x86_64"), 0))
                .toList();
        return new LeaseGrant(leaseId, epoch, "farm1", 0, "x86_64", jobs, List.of(1, 1), "",
                System.currentTimeMillis());
    }

    record Fixture(TestProbe<AgentMessage> agent, TestProbe<JobWindow.Command> window,
                   TestProbe<ResultsStore.Command> results, ActorRef<ExecutorMessage> executor,
                   JobWindow.ClaimBatch claim) {
        /** The window grants the executor's claim. */
        void offer(LeaseGrant g) {
            claim.replyTo().tell(new BatchOffer(g));
        }
    }

    private static Fixture start(Duration leaseTimeout) {
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        TestProbe<JobWindow.Command> window = KIT.createTestProbe();
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        TestProbe<ArtifactStore.Command> artifacts = KIT.createTestProbe();
        ActorRef<ExecutorMessage> ex = Executor.wire(KIT.spawn(Executor.create(new SlotId("farm1", 0), "x86_64",
                agent.ref(),
                window.ref(), results.ref(), artifacts.ref(), settings(leaseTimeout), CoordinatorMetrics.standalone(),
                Optional.empty())));
        JobWindow.ClaimBatch claim = window.expectMessageClass(JobWindow.ClaimBatch.class);
        assertEquals("x86_64", claim.arch());
        return new Fixture(agent, window, results, ex, claim);
    }

    /**
     * A batch mixing a failure's re-run (first, so its full log holds the run) with a key's first run: the verdict
     * names the re-run's log, {@code rerun-1.full_log.br}, not the failure's own {@code full_log.br} of another
     * batch (the mix-up the tail budget's split batches showed).
     */
    @Test
    void aVerdictWhoseFullLogIsAReRunsSaysSo() {
        Fixture f = start(Duration.ofSeconds(60));
        LeaseGrant plain = grant("lease-r", 2);
        Job a = plain.jobs().get(0);
        List<Job> jobs = List.of(a.asObservation(1, a.weight(), "farm2"), plain.jobs().get(1));
        f.offer(new LeaseGrant("lease-r", 2, "farm1", 0, "x86_64", jobs, List.of(1, 1), "",
                System.currentTimeMillis()));
        f.agent().expectMessageClass(RunBatch.class);
        f.executor().tell(new BatchAccepted("lease-r", 2));
        f.executor().tell(new SubtestFinished("lease-r", 2, 1, "t.a", "========= FAILED a in 1s", "FAILED", 1, 0, 0,
                1, "t.a", "runner=host"));
        assertEquals(1, f.results().expectMessageClass(ResultsStore.Observe.class).n());
        f.executor().tell(new SubtestFinished("lease-r", 2, 2, "t.b", "========= PASSED b in 1s", "PASSED", 1, 0, 0,
                1, "t.a", "runner=host"));
        ResultsStore.Verdict v = f.results().expectMessageClass(ResultsStore.Verdict.class);
        assertEquals("t.b", v.key());
        assertEquals("t.a", v.fullLogKey());
        assertEquals(1, v.fullLogRerun(), "t.a ran as its re-run 1: the run's log is rerun-1.full_log.br");
    }

    @Test
    void dispatchesTheBatchAndRecordsOnlyCurrentLeaseVerdicts() {
        Fixture f = start(Duration.ofSeconds(60));
        f.offer(grant("lease-1", 5));
        RunBatch run = f.agent().expectMessageClass(RunBatch.class);
        assertEquals("lease-1", run.leaseId());
        assertEquals(List.of("t.a", "t.b"), run.subtests().stream().map(RunBatch.BatchSubtest::resultKey).toList());
        f.executor().tell(new BatchAccepted("lease-1", 5));

        // A message with the right lease id but an old epoch is fenced off.
        f.executor().tell(new SubtestFinished("lease-1", 4, 1, "t.a", "========= PASSED a in 1s", "PASSED", 1, 0, 0,
                1, "t.a", "runner=host"));
        TestProbe<AgentMessage> hbReply = KIT.createTestProbe();
        f.executor().tell(new LeaseHeartbeat("lease-0", 3, 0, "", 1, 1, hbReply.ref()));
        assertFalse(hbReply.expectMessageClass(HeartbeatAck.class).valid());
        f.results().expectNoMessage(Duration.ofMillis(200));
        assertEquals(new Reject("lease-1", 4, 1, RejectReason.STALE_LEASE), f.agent().expectMessageClass(Reject.class));

        f.executor().tell(new SubtestFinished("lease-1", 5, 1, "t.a", "========= PASSED a in 1s", "PASSED", 1, 0, 0,
                1, "t.a", "runner=host"));
        ResultsStore.Verdict v = f.results().expectMessageClass(ResultsStore.Verdict.class);
        assertEquals("t.a", v.key());
        assertEquals("========= PASSED a in 1s", v.statusLine());
        assertEquals("runner=host", v.run());
        assertEquals(new Ack("lease-1", 0), f.agent().expectMessageClass(Ack.class),
                "not acknowledged before the verdict is durable");
        v.replyTo().tell(new VerdictOutcome(SHA, "t.a", VerdictOutcome.Result.RECORDED, v.token()));
        assertEquals(new Ack("lease-1", 1), f.agent().expectMessageClass(Ack.class));

        // Reliable delivery: a repeat of seq 1 is a duplicate (acknowledged again, not recorded); seq 3 before
        // seq 2 is a gap (dropped until the worker re-sends in order).
        f.executor().tell(new SubtestFinished("lease-1", 5, 1, "t.a", "========= FAILED a in 9s", "FAILED", 9, 0, 0,
                1, "t.a", "runner=host"));
        f.results().expectNoMessage(Duration.ofMillis(200));
        assertEquals(new Ack("lease-1", 1), f.agent().expectMessageClass(Ack.class));
        f.executor().tell(new BatchFinished("lease-1", 5, 3, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "",
                List.of(), List.of()));
        f.window().expectNoMessage(Duration.ofMillis(200));
        f.executor().tell(new BatchFinished("lease-1", 5, 2, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "",
                List.of(new BatchFinished.Unreached("t.b", LeaseEndReason.SUBTEST_NOT_FOUND)), List.of()));
        JobWindow.EndLease ended = f.window().expectMessageClass(JobWindow.EndLease.class);
        assertEquals(Set.of("t.a"), ended.verdictKeys());
        assertEquals(LeaseEndReason.SUBTEST_NOT_FOUND, ended.unreached().get("t.b"));
        f.window().expectMessageClass(JobWindow.ClaimBatch.class); // claims the next batch at once

        // A live console chunk that trails the batch's end is dropped quietly; a reliable one is stale. The first
        // Reject (acknowledgements of the batch above may come before it) must be the reliable chunk's.
        f.executor().tell(new LogChunk("lease-1", 5, 0, LogChunk.KIND_LIVE, "", 0, 0, 0, "tail\n".getBytes(), false));
        f.executor().tell(new LogChunk("lease-1", 5, 4, LogChunk.KIND_LOG, "t.a", 0, 0, 5, "tail\n".getBytes(), true));
        AgentMessage next = f.agent().receiveMessage();
        while (next instanceof Ack) {
            next = f.agent().receiveMessage();
        }
        assertEquals(new Reject("lease-1", 5, 4, RejectReason.STALE_LEASE), next);
    }

    @Test
    void aVerdictNotStoredInTimeRewindsDeliveryAndBatchFinishedWaitsForDurability() {
        Fixture f = start(Duration.ofSeconds(60));
        f.offer(grant("lease-3", 5));
        f.agent().expectMessageClass(RunBatch.class);
        f.executor().tell(new BatchAccepted("lease-3", 5));
        f.executor().tell(new SubtestFinished("lease-3", 5, 1, "t.a", "========= PASSED a in 1s", "PASSED", 1, 0, 0,
                1, "t.a", ""));
        ResultsStore.Verdict v = f.results().expectMessageClass(ResultsStore.Verdict.class);
        f.executor().tell(new BatchFinished("lease-3", 5, 2, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "",
                List.of(new BatchFinished.Unreached("t.b", LeaseEndReason.SUBTEST_NOT_FOUND)), List.of()));
        f.window().expectNoMessage(Duration.ofMillis(300)); // the lease stays until t.a is durable
        v.replyTo().tell(new VerdictOutcome(SHA, "t.a", VerdictOutcome.Result.RECORDED, v.token()));
        JobWindow.EndLease ended = f.window().expectMessageClass(JobWindow.EndLease.class);
        assertEquals(Set.of("t.a"), ended.verdictKeys());
        List<Ack> acks = f.agent().receiveSeveralMessages(3).stream().filter(m -> m instanceof Ack)
                .map(m -> (Ack) m).toList();
        assertEquals(2, acks.get(acks.size() - 1).ackedSeq());
    }

    @Test
    void unparseableStatusLinesAreRecordedButCountAsAFailureOfTheJob() {
        Fixture f = start(Duration.ofSeconds(60));
        f.offer(grant("lease-4", 5));
        f.agent().expectMessageClass(RunBatch.class);
        f.executor().tell(new SubtestFinished("lease-4", 5, 1, "t.a", "garbage", "UNKNOWN", 1, 0, 0, 1, "t.a", ""));
        ResultsStore.Verdict va = f.results().expectMessageClass(ResultsStore.Verdict.class);
        va.replyTo().tell(new VerdictOutcome(SHA, "t.a", VerdictOutcome.Result.RECORDED, va.token()));
        f.executor().tell(new SubtestFinished("lease-4", 5, 2, "t.b", "========= PASSED b in 0s", "PASSED", 0, 0, 0,
                1, "t.b", ""));
        ResultsStore.Verdict vb = f.results().expectMessageClass(ResultsStore.Verdict.class);
        vb.replyTo().tell(new VerdictOutcome(SHA, "t.b", VerdictOutcome.Result.RECORDED, vb.token()));
        f.executor().tell(new BatchFinished("lease-4", 5, 3, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "",
                List.of(), List.of()));
        JobWindow.EndLease ended = f.window().expectMessageClass(JobWindow.EndLease.class);
        assertEquals(Set.of("t.b"), ended.verdictKeys());
        assertEquals(LeaseEndReason.UNKNOWN_STATUS, ended.unreached().get("t.a"));
    }

    @Test
    void expiresASilentLeaseAndRevokesIt() {
        Fixture f = start(Duration.ofSeconds(2));
        f.offer(grant("lease-2", 9));
        f.agent().expectMessageClass(RunBatch.class);
        f.executor().tell(new BatchAccepted("lease-2", 9));
        RevokeLease revoke = f.agent().expectMessageClass(RevokeLease.class, Duration.ofSeconds(5));
        assertEquals(LeaseEndReason.LEASE_TIMEOUT, revoke.reason());
        JobWindow.EndLease ended = f.window().expectMessageClass(JobWindow.EndLease.class);
        assertEquals(LeaseEndReason.LEASE_TIMEOUT, ended.reason());
        assertTrue(ended.verdictKeys().isEmpty());
    }
}
