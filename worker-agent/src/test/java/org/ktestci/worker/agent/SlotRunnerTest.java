package org.ktestci.worker.agent;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.WorkerHello;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotRunnerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Where heartbeat answers would come back (the gateway's door); these tests answer none. */
    private static final TestProbe<AgentMessage> VIA = KIT.createTestProbe();

    /** A coordinator message as the agent forwards it. */
    static SlotRunner.FromCoordinator in(AgentMessage m) {
        return new SlotRunner.FromCoordinator(m, VIA.ref());
    }

    private static RunBatch batch(String lease, long epoch, ActorRef<ExecutorMessage> executor) {
        return new RunBatch(lease, epoch, 0, 1, "linux", "0123456789abcdef0123456789abcdef01234567", List.of(), "",
                "t.ktest", "", Map.of(), "x86_64", List.of(new RunBatch.BatchSubtest("a", "t.a", 30)), "t", 60,
                executor);
    }

    /** A batch that reports {@code verdicts} verdicts at once, then waits until released. */
    static BatchRun.Factory verdicts(int verdicts, CountDownLatch release) {
        return (b, sink) -> new BatchRun() {
            public BatchFinished execute() {
                for (int i = 1; i <= verdicts; i++) {
                    sink.subtestFinished("t.a", "========= PASSED a in 0s", "PASSED", 0, 0, 0, i, "t.a");
                }
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new BatchFinished("", 0, 0, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "", List.of(),
                        List.of());
            }

            public void abort() {
                release.countDown();
            }
        };
    }

    /** A slot (number 0) whose runs {@code runs} makes, with the worker's own lease timeout of 30 s. */
    private static ActorRef<SlotRunner.Command> slot(BatchRun.Factory runs) {
        return KIT.spawn(SlotRunner.create(0, runs, BatchCheck.ANY, Duration.ofSeconds(30)));
    }

    @Test
    void retransmitsUnacknowledgedResultsInOrderUntilAcked() {
        CountDownLatch release = new CountDownLatch(1);
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(verdicts(1, release));
        slot.tell(in(batch("L1", 10, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        SubtestFinished first = executor.expectMessageClass(SubtestFinished.class);
        assertEquals(1, first.seq());
        SubtestFinished again = executor.expectMessageClass(SubtestFinished.class, Duration.ofSeconds(8));
        assertEquals(first, again, "not acknowledged: sent again");
        slot.tell(in(new Ack("L1", 1)));
        release.countDown();
        BatchFinished done = executor.expectMessageClass(BatchFinished.class);
        assertEquals(2, done.seq());
        slot.tell(in(new Ack("L1", 2)));
        executor.expectNoMessage(Duration.ofSeconds(6));
    }

    @Test
    void refusesStaleEpochsAndDropsResultsOfARejectedLease() {
        CountDownLatch release = new CountDownLatch(1);
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(verdicts(1, release));
        slot.tell(in(batch("L2", 20, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        executor.expectMessageClass(SubtestFinished.class);
        slot.tell(in(batch("L0", 19, executor.ref())));
        assertEquals(RefusalReason.STALE_EPOCH, executor.expectMessageClass(BatchRefused.class).reason());
        slot.tell(in(new Reject("L2", 20, 1, RejectReason.STALE_LEASE)));
        executor.expectNoMessage(Duration.ofSeconds(6)); // the run was aborted and nothing is re-sent
    }

    @Test
    void aBatchForASlotWhoseRevokedRunIsStillStoppingStartsWhenThatRunEnds() throws Exception {
        CountDownLatch abortAsked = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        List<String> started = new CopyOnWriteArrayList<>();
        BatchRun.Factory slowToStop = (b, sink) -> new BatchRun() {
            public BatchFinished execute() {
                started.add(b.leaseId());
                try {
                    if (b.leaseId().equals("R1")) {
                        abortAsked.await(30, TimeUnit.SECONDS);
                        cleanedUp.await(30, TimeUnit.SECONDS); // TERM→KILL and tmp cleanup take a while
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, LeaseEndReason.WORKER_SHUTDOWN, "",
                        List.of(), List.of());
            }

            public void abort() {
                abortAsked.countDown();
            }
        };
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(slowToStop);
        slot.tell(in(batch("R1", 30, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        slot.tell(in(batch("R0", 31, executor.ref())));
        assertEquals(RefusalReason.SLOT_BUSY, executor.expectMessageClass(BatchRefused.class).reason(),
                "a slot whose run was not stopped is busy");
        slot.tell(in(new RevokeLease("R1", 30, LeaseEndReason.ADMIN_REVOKE)));
        slot.tell(in(batch("R2", 32, executor.ref())));
        executor.expectNoMessage(Duration.ofMillis(500)); // neither refused nor started while R1 stops
        assertEquals(List.of("R1"), started);
        cleanedUp.countDown();
        executor.fishForMessage(Duration.ofSeconds(10), m -> m instanceof BatchAccepted a && a.leaseId().equals("R2")
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (started.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // accepted is sent before the run's thread begins
        }
        assertEquals(List.of("R1", "R2"), started);
    }

    @Test
    void aRunsReportsReachTheExecutorNumberedInTheOrderMadeAndItsEndLast() {
        CountDownLatch release = new CountDownLatch(1);
        release.countDown();
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(verdicts(300, release));
        slot.tell(in(batch("O1", 60, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        long next = 1;
        ExecutorMessage m;
        while (!((m = executor.receiveMessage(Duration.ofSeconds(10))) instanceof BatchFinished)) {
            SubtestFinished f = (SubtestFinished) m;
            assertTrue(f.seq() <= next, "a gap before seq " + f.seq());
            if (f.seq() == next) { // else re-sent by the 5 s tick, from the first unacknowledged one
                assertEquals(next, f.iteration(), "reported in this order");
                next++;
            }
        }
        assertEquals(301, next);
        assertEquals(301, ((BatchFinished) m).seq());
    }

    /** Polls {@code active} until its only lease is reported as {@code expected}. */
    private static void awaitReported(ActiveLeases active, WorkerHello.ActiveLease expected) {
        awaitReported(active, List.of(expected), "the lease as reported");
    }

    /** Polls {@code active} until it reports {@code expected}. */
    private static void awaitReported(ActiveLeases active, List<WorkerHello.ActiveLease> expected, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!active.snapshot().equals(expected) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(expected, active.snapshot(), what);
    }

    @Test
    void aLeaseResumedByANewCoordinatorGoesOnFromItsExpectedSeqAndTheHelloSaysWhereItStands() {
        CountDownLatch release = new CountDownLatch(1);
        TestProbe<ExecutorMessage> oldExecutor = KIT.createTestProbe();
        TestProbe<ExecutorMessage> newExecutor = KIT.createTestProbe();
        TestProbe<AgentMessage> newVia = KIT.createTestProbe();
        ActiveLeases active = new ActiveLeases();
        ActorRef<SlotRunner.Command> slot = KIT.spawn(SlotRunner.create(3, verdicts(3, release), BatchCheck.ANY,
                Duration.ofSeconds(30), active));
        slot.tell(in(batch("G1", 70, oldExecutor.ref())));
        oldExecutor.expectMessageClass(BatchAccepted.class);
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, oldExecutor.expectMessageClass(SubtestFinished.class).seq());
        }
        awaitReported(active, new WorkerHello.ActiveLease(3, "G1", 70, 3, 0));
        slot.tell(in(new Ack("G1", 1)));
        awaitReported(active, new WorkerHello.ActiveLease(3, "G1", 70, 3, 1));
        slot.tell(new SlotRunner.ResumeLease("G1", newExecutor.ref(), 3, newVia.ref())); // it journaled 1 and 2
        SubtestFinished resent = newExecutor.expectMessageClass(SubtestFinished.class);
        assertEquals(3, resent.seq());
        awaitReported(active, new WorkerHello.ActiveLease(3, "G1", 70, 3, 2));
        release.countDown();
        ExecutorMessage m;
        while (!((m = newExecutor.receiveMessage(Duration.ofSeconds(10))) instanceof BatchFinished)) {
            assertEquals(3, ((SubtestFinished) m).seq(), "only the unacknowledged one is re-sent");
        }
        assertEquals(4, ((BatchFinished) m).seq());
        assertTrue(receivedWithin(oldExecutor, Duration.ofMillis(300)).stream()
                .noneMatch(o -> o instanceof BatchFinished), "the old generation's executor gets no more");
        slot.tell(in(new Ack("G1", 4)));
        awaitReported(active, List.of(), "all acknowledged after the run ended: nothing owed");
    }

    @Test
    void anAckBeyondWhatWasSentDropsNothing() {
        CountDownLatch release = new CountDownLatch(1);
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(verdicts(1, release));
        slot.tell(in(batch("F1", 80, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        assertEquals(1, executor.expectMessageClass(SubtestFinished.class).seq());
        slot.tell(in(new Ack("F1", 5)));
        assertEquals(1, executor.expectMessageClass(SubtestFinished.class, Duration.ofSeconds(8)).seq(),
                "still re-sent");
        release.countDown();
    }

    /** Everything the probe gets within {@code d}. */
    private static List<ExecutorMessage> receivedWithin(TestProbe<ExecutorMessage> p, Duration d) {
        List<ExecutorMessage> got = new ArrayList<>();
        long end = System.nanoTime() + d.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return got;
            }
            try {
                got.add(p.receiveMessage(Duration.ofNanos(left)));
            } catch (AssertionError timeout) {
                return got;
            }
        }
    }

    @Test
    void takesTheHeartbeatPeriodAndLeaseTimeoutFromTheCoordinatorsHelloAck() {
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        // The worker's own file says 30 s.
        ActorRef<SlotRunner.Command> slot = slot(verdicts(1, new CountDownLatch(1)));
        slot.tell(new SlotRunner.LeaseTiming(Duration.ofMillis(200), Duration.ofSeconds(1)));
        slot.tell(in(batch("T1", 40, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        executor.expectMessageClass(SubtestFinished.class);
        executor.expectMessageClass(LeaseHeartbeat.class, Duration.ofSeconds(2));
        // No heartbeat is answered: after the coordinator's lease_timeout (1 s) the run is given up.
        List<ExecutorMessage> got = receivedWithin(executor, Duration.ofSeconds(4));
        assertTrue(got.stream().anyMatch(m -> m instanceof BatchFinished), got.toString());
    }

    @Test
    void unansweredHeartbeatsEndNoRunWhileNoCoordinatorIsReachable() {
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> slot = slot(verdicts(1, new CountDownLatch(1)));
        slot.tell(new SlotRunner.LeaseTiming(Duration.ofMillis(200), Duration.ofSeconds(1)));
        slot.tell(in(batch("P1", 50, executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        slot.tell(new SlotRunner.CoordinatorPresence(false)); // restarting, failing over, or cut off
        List<ExecutorMessage> meanwhile = receivedWithin(executor, Duration.ofSeconds(3));
        assertTrue(meanwhile.stream().noneMatch(m -> m instanceof BatchFinished),
                "three lease timeouts without a reachable coordinator: the run goes on");
        assertTrue(meanwhile.stream().anyMatch(m -> m instanceof LeaseHeartbeat), "and keeps asking");
        slot.tell(new SlotRunner.CoordinatorPresence(true));
        List<ExecutorMessage> after = receivedWithin(executor, Duration.ofSeconds(4));
        assertTrue(after.stream().anyMatch(m -> m instanceof BatchFinished),
                "a reachable coordinator that does not answer for lease_timeout: the lease is gone");
    }
}
