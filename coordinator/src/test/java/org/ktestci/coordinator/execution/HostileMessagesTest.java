package org.ktestci.coordinator.execution;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.schema.results.OutputDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproductions of issue 12's "one malformed message stops a core coordinator actor": each sends the hostile
 * message, then shows the actor still serves the honest worker.
 */
class HostileMessagesTest {
    private static final ActorTestKit KIT = ActorTestKit.create("HostileMessagesTest",
            ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\npekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                            + "pekko.remote.artery.canonical.port = 0"));
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static WorkerHello hello(String host, int slots, ActorRef<AgentMessage> agent) {
        return new WorkerHello(1, host, "x86_64", slots, "0.1.0", "abc", "host", false, "no VMs", 1024, 4, List.of(), agent);
    }

    record Gateway(ActorRef<GatewayMessage> wire, TestProbe<JobWindow.Command> window) {
        /** Says hello as {@code host}, answers the window's resume question, returns the ack. */
        HelloAck join(String host, int slots, TestProbe<AgentMessage> agent) {
            wire.tell(hello(host, slots, agent.ref()));
            JobWindow.ResumeLeases r = window.expectMessageClass(JobWindow.ResumeLeases.class);
            r.replyTo().tell(new JobWindow.ResumeDecision(List.of(), List.of()));
            return agent.expectMessageClass(HelloAck.class);
        }

        /** If the gateway consults the window about this hello, answers as for a new host (nothing to resume). */
        void answerIfAsked() {
            try {
                JobWindow.ResumeLeases r = window.expectMessageClass(JobWindow.ResumeLeases.class,
                        Duration.ofMillis(500));
                r.replyTo().tell(new JobWindow.ResumeDecision(List.of(), List.of()));
            } catch (AssertionError notAsked) {
                // refused before the window was asked
            }
        }

        /** The ClaimBatch each of a new host's executors sends, by slot. */
        List<JobWindow.ClaimBatch> claims(int n) {
            return window.receiveSeveralMessages(n + 1).stream().filter(m -> m instanceof JobWindow.ClaimBatch)
                    .map(m -> (JobWindow.ClaimBatch) m).toList();
        }
    }

    private static Gateway gateway() {
        TestProbe<JobWindow.Command> window = KIT.createTestProbe();
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        TestProbe<ArtifactStore.Command> artifacts = KIT.createTestProbe();
        ActorRef<GatewayMessage> gw = WorkerGateway.wire(KIT.spawn(WorkerGateway.create(h -> HostSlots.UNCONFIGURED,
                List.of(), window.ref(), results.ref(), artifacts.ref(), SchedulerSettings.defaults(),
                CoordinatorMetrics.standalone(), 42)));
        return new Gateway(gw, window);
    }

    private static LeaseGrant grant(String leaseId, long epoch, String host) {
        List<Job> jobs = List.of("a", "b").stream().map(s -> new Job(new JobKey(SHA, "t.ktest", s, "", "", ""),
                "t." + s, "t", new TreeMap<>(), "linux", List.of(), 0, 0, "main", "g", 30, Set.of("x86_64"), 0))
                .toList();
        return new LeaseGrant(leaseId, epoch, host, 0, "x86_64", jobs, List.of(1, 1), "", System.currentTimeMillis());
    }

    @Test
    void aHelloWhoseHostIsNotAnActorNameIsRefusedAndTheGatewayAndItsExecutorsKeepServing() {
        Gateway g = gateway();
        TestProbe<AgentMessage> honest = KIT.createTestProbe();
        assertTrue(g.join("farm1", 1, honest).accepted());
        JobWindow.ClaimBatch claim = g.claims(1).get(0);

        TestProbe<AgentMessage> hostile = KIT.createTestProbe();
        g.wire().tell(hello("a/b", 1, hostile.ref()));
        g.answerIfAsked();
        HelloAck refused = hostile.expectMessageClass(HelloAck.class);
        assertFalse(refused.accepted());
        assertTrue(refused.reason().contains("host"), refused.reason());

        // farm1's executor still dispatches, and the gateway still admits hosts.
        claim.replyTo().tell(new BatchOffer(grant("lease-1", 1, "farm1")));
        assertEquals("lease-1", honest.expectMessageClass(RunBatch.class).leaseId());
        assertTrue(g.join("farm2", 1, KIT.createTestProbe()).accepted());
    }

    @Test
    void aHelloAnnouncingMillionsOfSlotsIsRefusedWithoutSpawningExecutors() {
        Gateway g = gateway();
        TestProbe<AgentMessage> hostile = KIT.createTestProbe();
        g.wire().tell(hello("farm3", 5_000_000, hostile.ref()));
        g.answerIfAsked();
        HelloAck refused = hostile.expectMessageClass(HelloAck.class, Duration.ofSeconds(3));
        assertFalse(refused.accepted());
        assertTrue(refused.reason().contains("slots"), refused.reason());
        g.window().expectNoMessage(Duration.ofMillis(300)); // no claims
    }

    @Test
    void aGoodbyeFromAnotherMemberDoesNotRemoveTheHost() {
        Gateway g = gateway();
        TestProbe<AgentMessage> honest = KIT.createTestProbe();
        assertTrue(g.join("farm4", 1, honest).accepted());
        JobWindow.ClaimBatch claim = g.claims(1).get(0);
        claim.replyTo().tell(new BatchOffer(grant("lease-4", 1, "farm4")));
        RunBatch run = honest.expectMessageClass(RunBatch.class);
        run.executor().tell(new BatchAccepted("lease-4", 1));

        TestProbe<AgentMessage> other = KIT.createTestProbe();
        g.wire().tell(new WorkerGoodbye("farm4", List.of(), other.ref())); // another member's agent
        g.wire().tell(new WorkerGoodbye("farm4", List.of(), null)); // no agent at all
        // The lease goes on: its executor did not end it (worker_shutdown) nor stop, and farm4 stays up. (Other
        // window traffic, a slow claim under load say, is not what this test is about.)
        for (JobWindow.Command m : windowTraffic(g.window(), Duration.ofMillis(500))) {
            assertFalse(m instanceof JobWindow.EndLease, "a forged goodbye ended the lease: " + m);
            assertFalse(m instanceof JobWindow.HostsChanged h && !h.upHosts().containsKey("farm4"),
                    "a forged goodbye removed the host: " + m);
        }
        run.executor().tell(new BatchAccepted("lease-4", 1));
        run.executor().tell(new LeaseHeartbeat("lease-4", 1, 0, "", 1, 1, honest.ref()));
        assertTrue(honest.expectMessageClass(HeartbeatAck.class).valid(), "the lease is still current");

        // The host's own agent may say goodbye: its lease ends as worker_shutdown.
        g.wire().tell(new WorkerGoodbye("farm4", List.of(), honest.ref()));
        // The gateway's HostsChanged and the executor's LeaseEnded race to the window: either may come first.
        JobWindow.EndLease ended = (JobWindow.EndLease) g.window().fishForMessage(Duration.ofSeconds(3),
                m -> m instanceof JobWindow.EndLease ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore()).get(0);
        assertEquals(LeaseEndReason.WORKER_SHUTDOWN, ended.reason());
    }

    /** Everything the window is told within {@code quiet} of the last message. */
    private static List<JobWindow.Command> windowTraffic(TestProbe<JobWindow.Command> window, Duration quiet) {
        List<JobWindow.Command> seen = new ArrayList<>();
        while (true) {
            try {
                seen.add(window.receiveMessage(quiet));
            } catch (AssertionError timeout) {
                return seen;
            }
        }
    }

    record Slot(ActorRef<ExecutorMessage> executor, TestProbe<AgentMessage> agent, TestProbe<JobWindow.Command> window,
                TestProbe<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts) {}


    /** An executor with lease-9 accepted, a real artifact store under {@code out}. */
    private static Slot leasedSlot(Path out) {
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        TestProbe<JobWindow.Command> window = KIT.createTestProbe();
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        ActorRef<ArtifactStore.Command> artifacts = KIT.spawn(ArtifactStore.create(new OutputDir(out)));
        ActorRef<ExecutorMessage> ex = Executor.wire(KIT.spawn(Executor.create(new SlotId("farm1", 0), "x86_64",
                agent.ref(), window.ref(), results.ref(), artifacts, SchedulerSettings.defaults(),
                CoordinatorMetrics.standalone(), Optional.empty())));
        window.expectMessageClass(JobWindow.ClaimBatch.class).replyTo()
                .tell(new BatchOffer(grant("lease-9", 3, "farm1")));
        agent.expectMessageClass(RunBatch.class);
        ex.tell(new BatchAccepted("lease-9", 3));
        return new Slot(ex, agent, window, results, artifacts);
    }

    @Test
    void aLogChunkAtANegativeOffsetIsRejectedAndTheArtifactStoreKeepsWriting() throws Exception {
        Path out = dir.resolve("out");
        Slot s = leasedSlot(out);
        s.executor().tell(new LogChunk("lease-9", 3, 1, LogChunk.KIND_LOG, "t.a", 1, -1, 5, "hello".getBytes(), true));
        // Honest chunks after it (the executor hands chunks to the store in order) are still written.
        s.executor().tell(new LogChunk("lease-9", 3, 1, LogChunk.KIND_LOG, "t.a", 1, 0, 5, "hello".getBytes(), true));
        s.executor().tell(new LogChunk("lease-9", 3, 2, LogChunk.KIND_LOG, "t.b", 1, 0, 5, "world".getBytes(), true));
        s.agent().fishForMessage(Duration.ofSeconds(5), m -> m instanceof Ack a && a.ackedSeq() == 2
                ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
        assertEquals("world", Files.readString(new OutputDir(out).keyDir(SHA, "t.b").resolve(OutputDir.LOG)));
    }

    @Test
    void aSubtestFinishedWithoutStatusIsRejectedAndTheExecutorKeepsItsLease() {
        Slot s = leasedSlot(dir.resolve("out"));
        s.executor().tell(new SubtestFinished("lease-9", 3, 1, "t.a", null, null, 0, 0, 0, 1, "t.a", ""));
        s.results().expectNoMessage(Duration.ofMillis(300));
        // The same sequence number with real content is still recorded: the executor lives, the lease is current.
        s.executor().tell(new SubtestFinished("lease-9", 3, 1, "t.a", "========= PASSED a in 0s", "PASSED", 0, 0, 0, 1,
                "t.a", ""));
        ResultsStore.Verdict v = s.results().expectMessageClass(ResultsStore.Verdict.class);
        assertEquals("t.a", v.key());
    }

    /**
     * A batch end or refusal whose outcome or reason is a string this release does not know (crafted, or from a
     * peer out of step) is decoded, refused as {@code malformed}, and ends nothing: the honest end that follows
     * ends the lease.
     */
    @Test
    void aBatchEndWithAnUnknownOutcomeOrReasonIsRejectedAndTheLeaseGoesOn() {
        Slot s = leasedSlot(dir.resolve("out"));
        List<ExecutorMessage> crafted = List.of(
                PeerWire.finished(KIT.system(), "lease-9", 3, 1, "MAYBE", "", "subtest_not_found", "success"),
                PeerWire.finished(KIT.system(), "lease-9", 3, 1, "INFRA_FAILURE", "no_such_reason",
                        "subtest_not_found", "success"),
                PeerWire.finished(KIT.system(), "lease-9", 3, 1, "COMPLETED", "", "Bad Reason", "success"),
                PeerWire.finished(KIT.system(), "lease-9", 3, 1, "COMPLETED", "", "subtest_not_found", "exploded"),
                PeerWire.refused(KIT.system(), "lease-9", 3, "maybe_later"));
        for (ExecutorMessage m : crafted) {
            s.executor().tell(m);
            Reject r = s.agent().expectMessageClass(Reject.class);
            assertEquals(RejectReason.MALFORMED, r.reason(), m.toString());
        }
        s.window().expectNoMessage(Duration.ofMillis(300));
        s.executor().tell(PeerWire.finished(KIT.system(), "lease-9", 3, 1, "INFRA_FAILURE", "deps_failed",
                "deps_failed", "success"));
        JobWindow.EndLease ended = s.window().expectMessageClass(JobWindow.EndLease.class);
        assertEquals(LeaseEndReason.DEPS_FAILED, ended.reason());
        assertEquals(LeaseEndReason.DEPS_FAILED, ended.unreached().get("t.b"));
    }
}
