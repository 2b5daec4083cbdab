package org.ktestci.worker.agent;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WireRules;
import org.ktestci.protocol.WorkerHello;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Optional;

/**
 * Runs one batch at a time for slot {@code n}: refuses invalid batches (before it looks at their epoch) and stale
 * epochs, accepts, runs the batch on the blocking dispatcher, streams its events to the lease's executor,
 * heartbeats, and aborts the run when the coordinator revokes the lease or says it is gone.
 *
 * <p>It takes only local commands: coordinator messages reach it from the {@link WorkerAgent}, which checked who
 * sent them ({@link FromCoordinator}); its heartbeats ask for answers through the same door.
 */
public final class SlotRunner extends AbstractBehavior<SlotRunner.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits FromCoordinator, HeartbeatTick, RetransmitTick, LiveTick, RunEnded, Drain, ResumeLease,
            AbandonLease, LeaseTiming, CoordinatorPresence {}

    /**
     * A coordinator message the agent took from the gateway that acknowledged its hello; {@code via} is that
     * gateway's door, where heartbeat answers come back.
     */
    public record FromCoordinator(AgentMessage message, ActorRef<AgentMessage> via) implements Command {}

    private record HeartbeatTick() implements Command {}

    private record RetransmitTick() implements Command {}

    /** Sends the running lease's pending console lines to live viewers (at most 4 per second). */
    private record LiveTick() implements Command {}

    private static final Duration LIVE_INTERVAL = Duration.ofMillis(250);

    private static final Duration RETRANSMIT = Duration.ofSeconds(5);

    private record RunEnded(String leaseId, BatchFinished result, Throwable error) implements Command {}

    /** The agent is stopping: refuse new batches, stop the running one, then answer {@link Drained}. */
    public record Drain(ActorRef<Drained> replyTo) implements Command {}

    public record Drained(int slot) implements NoSerializationVerificationNeeded {}

    /**
     * The coordinator resumed {@code leaseId} after a failover: its results now go to {@code executor}, heartbeat
     * answers come through {@code via}.
     */
    public record ResumeLease(String leaseId, ActorRef<ExecutorMessage> executor, long expectedSeq,
                              ActorRef<AgentMessage> via) implements Command {}

    /** The coordinator no longer holds {@code leaseId}: stop its run and drop its unsent results. */
    public record AbandonLease(String leaseId) implements Command {}

    /**
     * Learned from {@code HelloAck}: the coordinator's heartbeat period, and how long a lease without a valid heartbeat
     * answer lives there (config.md: both are the coordinator's settings; the worker's own file only gives the
     * values used before the first hello is acknowledged).
     */
    public record LeaseTiming(Duration heartbeatInterval, Duration leaseTimeout) implements Command {}

    /**
     * Whether a coordinator gateway is reachable. Without one, unanswered heartbeats say nothing about the lease: a
     * coordinator failing over or restarting keeps its leases for {@code lease_timeout} after it is back
     * (scheduling.md §7), so the run goes on, and is fenced off if the lease turns out to be gone.
     */
    public record CoordinatorPresence(boolean present) implements Command {}

    private final int slot;
    private final BatchRun.Factory factory;
    private final BatchCheck batchCheck;
    private Duration heartbeatInterval;
    private final ActiveLeases active;
    private Duration leaseTimeout = Duration.ofSeconds(12);
    private boolean coordinatorPresent = true;
    /** When the oldest heartbeat still without a valid answer was sent (0: all answered). */
    private long unansweredSince;
    private long lastTick;
    private final TimerScheduler<Command> timers;
    private long lastEpoch = Long.MIN_VALUE;

    private RunBatch current;
    private BatchRun run;
    private ExecutorSink sink;
    private long startedAt;
    private ActorRef<Drained> drainedReply;
    /** The current run was told to stop (revoked, rejected, abandoned): its slot is about to be free. */
    private boolean stopping;
    /** A batch that came while the stopped run was still winding down; it starts when that run has ended. */
    private RunBatch waiting;
    private ActorRef<AgentMessage> waitingVia;
    /** Sinks with reliable messages not yet acknowledged, the current run's and finished ones'. */
    private final java.util.Map<String, ExecutorSink> unacked = new java.util.LinkedHashMap<>();

    public static Behavior<Command> create(int slot, BatchRun.Factory factory, BatchCheck batchCheck,
                                           Duration heartbeatInterval, ActiveLeases active) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new SlotRunner(ctx, timers, slot, factory, batchCheck, heartbeatInterval, active)));
    }

    public static Behavior<Command> create(int slot, BatchRun.Factory factory, BatchCheck batchCheck,
                                           Duration heartbeatInterval) {
        return create(slot, factory, batchCheck, heartbeatInterval, new ActiveLeases());
    }

    private SlotRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, int slot,
                       BatchRun.Factory factory, BatchCheck batchCheck, Duration heartbeatInterval,
                       ActiveLeases active) {
        super(ctx);
        this.timers = timers;
        this.active = active;
        this.slot = slot;
        this.factory = factory;
        this.batchCheck = batchCheck;
        this.heartbeatInterval = heartbeatInterval;
        timers.startTimerWithFixedDelay("retransmit", new RetransmitTick(), RETRANSMIT);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromCoordinator.class, this::onCoordinator)
                .onMessage(HeartbeatTick.class, t -> onHeartbeatTick())
                .onMessage(RunEnded.class, this::onRunEnded)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(RetransmitTick.class, t -> onRetransmit())
                .onMessage(LiveTick.class, t -> onLiveTick())
                .onMessage(ResumeLease.class, this::onResume)
                .onMessage(AbandonLease.class, this::onAbandon)
                .onMessage(LeaseTiming.class, this::onLeaseTiming)
                .onMessage(CoordinatorPresence.class, this::onCoordinatorPresence)
                .build();
    }

    private Behavior<Command> onCoordinator(FromCoordinator c) {
        AgentMessage m = c.message();
        if (m instanceof RunBatch b) {
            return onRunBatch(b, c.via());
        } else if (m instanceof RevokeLease r) {
            return onRevoke(r);
        } else if (m instanceof HeartbeatAck a) {
            return onHeartbeatAck(a);
        } else if (m instanceof Ack a) {
            return onAck(a);
        } else if (m instanceof Reject r) {
            return onReject(r);
        }
        return this; // hellos are the agent's
    }

    private Behavior<Command> onRunBatch(RunBatch b, ActorRef<AgentMessage> via) {
        if (current != null && current.leaseId().equals(b.leaseId())) {
            b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch())); // a re-sent RunBatch: idempotent
            return this;
        }
        // Checked before anything else, the epoch included: a batch refused here leaves no trace (issue 12).
        Optional<BatchValidator.Refusal> refusal = batchCheck.check(b);
        if (refusal.isPresent() && refusal.get().reason().equals(BatchValidator.BAD_BATCH)) {
            getContext().getLog().warn("batch refused (bad_batch): slot={} lease={}: {}", slot,
                    WireRules.quote(b.leaseId()), refusal.get().detail());
            b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), BatchRefused.BAD_BATCH));
            return this;
        }
        if (b.epoch() <= lastEpoch) {
            b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), "stale_epoch"));
            return this;
        }
        if (drainedReply != null) {
            b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), "draining"));
            return this;
        }
        if (current != null && stopping) {
            // The coordinator already ended the old lease and leased the slot again: the old run is only
            // cleaning up (TERM→KILL, tmp dir), so the new batch waits for it rather than being refused.
            // Only the newest lease waits; the older of two is refused as stale (a re-send keeps its place).
            RunBatch stale = waiting == null || waiting.leaseId().equals(b.leaseId()) ? null
                    : waiting.epoch() < b.epoch() ? waiting : b;
            if (stale != null) {
                stale.executor().tell(new BatchRefused(stale.leaseId(), stale.epoch(), "stale_epoch"));
            }
            if (stale != b) {
                waiting = b;
                waitingVia = via;
            }
            return this;
        }
        if (current != null) {
            b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), "slot_busy"));
            return this;
        }
        lastEpoch = b.epoch();
        current = b;
        startedAt = System.currentTimeMillis();
        sink = new ExecutorSink(b, slot, via);
        track(sink);
        unansweredSince = 0;
        if (refusal.isPresent()) {
            // A kernel this worker may not boot: the batch ends as no_kernel, as for a kernel that is not there.
            getContext().getLog().warn("batch not run (no_kernel): slot={} lease={}: {}", slot, b.leaseId(),
                    refusal.get().detail());
            run = BatchRun.failed(b, BatchValidator.NO_KERNEL, refusal.get().detail(), sink);
        } else {
            run = factory.create(b, sink);
        }
        b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch()));
        getContext().getLog().info("batch started: slot={} lease={} epoch={} commit={} test={} subtests={}", slot,
                b.leaseId(), b.epoch(), b.commit(), b.test(), b.subtests().size());
        BatchRun thisRun = run;
        CompletableFuture<BatchFinished> f = CompletableFuture.supplyAsync(thisRun::execute,
                getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        getContext().pipeToSelf(f, (res, err) -> new RunEnded(b.leaseId(), res, err));
        timers.startTimerWithFixedDelay("heartbeat", new HeartbeatTick(), heartbeatInterval);
        timers.startTimerWithFixedDelay("live", new LiveTick(), LIVE_INTERVAL);
        return this;
    }

    private Behavior<Command> onLeaseTiming(LeaseTiming t) {
        leaseTimeout = t.leaseTimeout();
        if (!t.heartbeatInterval().equals(heartbeatInterval)) {
            heartbeatInterval = t.heartbeatInterval();
            if (current != null) {
                timers.startTimerWithFixedDelay("heartbeat", new HeartbeatTick(), heartbeatInterval);
            }
        }
        return this;
    }

    private Behavior<Command> onCoordinatorPresence(CoordinatorPresence p) {
        if (p.present() != coordinatorPresent) {
            coordinatorPresent = p.present();
            unansweredSince = 0; // counted afresh from the next heartbeat a reachable coordinator can answer
        }
        return this;
    }

    private Behavior<Command> onLiveTick() {
        if (sink != null) {
            sink.sendLive();
        }
        return this;
    }

    private void track(ExecutorSink s) {
        unacked.put(s.batch.leaseId(), s);
        active.put(s.batch.leaseId(), s::activeLease);
    }

    private void untrack(String leaseId) {
        unacked.remove(leaseId);
        active.remove(leaseId);
    }

    private Behavior<Command> onHeartbeatTick() {
        if (current != null) {
            long now = System.currentTimeMillis();
            if (lastTick > 0 && now - lastTick > 3 * heartbeatInterval.toMillis()) {
                unansweredSince = 0; // this process was frozen (SIGSTOP, swapping): ask again before giving up
            }
            lastTick = now;
            // protocol.md §4.1: heartbeats unanswered for lease_timeout: the lease is certainly gone. Counted from
            // a heartbeat actually sent, so a worker that was itself frozen asks before it gives up.
            if (!coordinatorPresent) {
                unansweredSince = 0; // nobody to answer: a failover or restart, not the lease's end
            } else if (!sink.silenced && unansweredSince > 0 && now - unansweredSince > leaseTimeout.toMillis()) {
                getContext().getLog().warn("no valid heartbeat answer for {} s, aborting: slot={} lease={}",
                        leaseTimeout.toSeconds(), slot, current.leaseId());
                untrack(current.leaseId());
                abortCurrent(false);
                return this;
            }
            if (unansweredSince == 0 && coordinatorPresent) {
                unansweredSince = now;
            }
            sink.executor.tell(new LeaseHeartbeat(current.leaseId(), current.epoch(), slot, sink.currentKey,
                    sink.iteration, (now - startedAt) / 1000, sink.via));
        }
        return this;
    }

    private Behavior<Command> onResume(ResumeLease r) {
        ExecutorSink s = unacked.get(r.leaseId());
        if (s != null) {
            s.executor = r.executor();
            s.via = r.via();
            s.ackUpTo(r.expectedSeq() - 1);
            if (s == sink) {
                unansweredSince = 0;
            }
            getContext().getLog().info("lease resumed by the coordinator: slot={} lease={} from seq {}", slot,
                    r.leaseId(), r.expectedSeq());
            s.retransmit();
            if (s != sink && s.outboxEmpty()) {
                untrack(r.leaseId());
            }
        }
        return this;
    }

    private Behavior<Command> onAbandon(AbandonLease a) {
        ExecutorSink s = unacked.get(a.leaseId());
        if (s != null) {
            getContext().getLog().warn("coordinator abandoned lease {}; dropping its results", a.leaseId());
            untrack(a.leaseId());
            if (s == sink) {
                abortCurrent(true);
            }
        }
        return this;
    }

    private Behavior<Command> onAck(Ack ack) {
        ExecutorSink s = unacked.get(ack.leaseId());
        if (s != null && ack.ackedSeq() > s.sentSeq()) {
            // It would drop results the executor cannot have: not from the lease's executor.
            getContext().getLog().warn("ack beyond what was sent ignored: slot={} lease={} acked={} sent={}", slot,
                    ack.leaseId(), ack.ackedSeq(), s.sentSeq());
        } else if (s != null) {
            s.ackUpTo(ack.ackedSeq());
            if (s != sink && s.outboxEmpty()) {
                untrack(ack.leaseId());
            }
        }
        return this;
    }

    /**
     * A {@code stale_lease} of this lease (id and epoch) ends it here too. {@code malformed} is only logged: the
     * coordinator cannot tell who sent the message it refused, so it must not cost the run; a run whose own
     * message was refused stops being renewed when it ends, and the lease then times out.
     */
    private Behavior<Command> onReject(Reject r) {
        ExecutorSink s = unacked.get(r.leaseId());
        if (s != null && Reject.MALFORMED.equals(r.reason())) {
            getContext().getLog().warn("coordinator refused a message of lease {} (seq {}) as malformed", r.leaseId(),
                    r.seq());
        } else if (s != null && s.batch.epoch() == r.epoch()) {
            untrack(r.leaseId());
            getContext().getLog().warn("coordinator rejected lease {} ({}); dropping its unsent results", r.leaseId(),
                    r.reason());
            if (s == sink) {
                abortCurrent(true);
            }
        }
        return this;
    }

    /** Re-sends everything not yet acknowledged, in order (protocol.md §4.1). */
    private Behavior<Command> onRetransmit() {
        unacked.values().forEach(ExecutorSink::retransmit);
        return this;
    }

    private Behavior<Command> onHeartbeatAck(HeartbeatAck ack) {
        boolean ours = current != null && current.leaseId().equals(ack.leaseId()) && current.epoch() == ack.epoch();
        if (ours && ack.valid() && ack.ackedSeq() <= sink.sentSeq()) {
            sink.ackUpTo(ack.ackedSeq());
            unansweredSince = 0;
        }
        if (ours && !ack.valid()) {
            getContext().getLog().warn("lease no longer valid, aborting: slot={} lease={}", slot, ack.leaseId());
            abortCurrent(false);
        }
        return this;
    }

    private Behavior<Command> onRevoke(RevokeLease r) {
        if (current != null && current.leaseId().equals(r.leaseId()) && current.epoch() == r.epoch()) {
            getContext().getLog().warn("lease revoked, aborting: slot={} lease={} reason={}", slot, r.leaseId(), r.reason());
            abortCurrent(false);
        }
        return this;
    }

    private Behavior<Command> onDrain(Drain d) {
        drainedReply = d.replyTo();
        if (current == null) {
            d.replyTo().tell(new Drained(slot));
        } else {
            getContext().getLog().info("agent stopping, aborting batch: slot={} lease={}", slot, current.leaseId());
            abortCurrent(true);
        }
        return this;
    }

    /**
     * Stops the running batch. {@code silence}: the coordinator said the lease is gone (Reject, abandon) or we are
     * leaving, so nothing more is sent under it. Otherwise (revoked, heartbeat refused or unanswered) what the
     * run still produces goes out and is fenced off by the executor, which counts it (protocol.md §4.2).
     */
    private void abortCurrent(boolean silence) {
        stopping = true;
        if (silence) {
            sink.silenced = true;
        }
        run.abort();
    }

    private Behavior<Command> onRunEnded(RunEnded e) {
        if (current == null || !current.leaseId().equals(e.leaseId())) {
            return this;
        }
        RunBatch b = current;
        BatchFinished result = e.error() == null ? e.result()
                : new BatchFinished("", 0, 0, BatchFinished.INFRA_FAILURE, "agent_error", "", List.of(), List.of());
        if (e.error() != null) {
            getContext().getLog().error("batch crashed: slot={} lease={}: {}", slot, b.leaseId(), e.error().toString());
        }
        if (!sink.silenced) {
            synchronized (sink) {
                sink.sendReliable(new BatchFinished(b.leaseId(), b.epoch(), sink.next(), result.outcome(),
                        result.reason(), result.declaredArch(), result.unreached(), result.iterations()));
            }
        } else {
            untrack(b.leaseId());
        }
        if (sink.outboxEmpty()) {
            untrack(b.leaseId());
        }
        getContext().getLog().info("batch finished: slot={} lease={} outcome={} reason={}", slot, b.leaseId(),
                result.outcome(), result.reason());
        timers.cancel("heartbeat");
        timers.cancel("live");
        sink.sendLive();
        current = null;
        run = null;
        sink = null;
        stopping = false;
        if (drainedReply != null) {
            drainedReply.tell(new Drained(slot)); // the run's processes are gone: safe to leave
        }
        if (waiting != null) {
            RunBatch next = waiting;
            ActorRef<AgentMessage> nextVia = waitingVia;
            waiting = null;
            waitingVia = null;
            if (drainedReply != null) {
                next.executor().tell(new BatchRefused(next.leaseId(), next.epoch(), "draining"));
            } else {
                getContext().getLog().info("starting the batch that waited for the stopped run: slot={} lease={}",
                        slot, next.leaseId());
                return onRunBatch(next, nextVia);
            }
        }
        return this;
    }

    /** Sends a run's events to the executor; called from the batch's thread, hence the volatile fields. */
    private static final class ExecutorSink implements LeaseSink {
        private final RunBatch batch;
        private final int slot;
        /** The lease's executor; replaced when a new coordinator resumes the lease. */
        volatile ActorRef<ExecutorMessage> executor;
        /** Where the executor answers heartbeats: the door of the gateway that gave (or resumed) the lease. */
        volatile ActorRef<AgentMessage> via;
        private final AtomicLong seq = new AtomicLong();
        private final java.util.concurrent.ConcurrentSkipListMap<Long, ReliableMessage> outbox =
                new java.util.concurrent.ConcurrentSkipListMap<>();
        volatile String currentKey = "";
        volatile int iteration;
        volatile boolean silenced;
        volatile String run = "";
        private final LiveLog live = new LiveLog();

        ExecutorSink(RunBatch batch, int slot, ActorRef<AgentMessage> via) {
            this.batch = batch;
            this.slot = slot;
            this.executor = batch.executor();
            this.via = via;
        }

        WorkerHello.ActiveLease activeLease() {
            long sent = seq.get();
            Long firstUnacked = outbox.isEmpty() ? null : outbox.firstKey();
            return new WorkerHello.ActiveLease(slot, batch.leaseId(), batch.epoch(), sent,
                    firstUnacked == null ? sent : firstUnacked - 1);
        }

        long nextSeq() {
            return seq.incrementAndGet();
        }

        /** The highest sequence number sent so far. */
        long sentSeq() {
            return seq.get();
        }

        /** Numbering and sending happen together so the executor sees sequence numbers in order. */
        synchronized void sendReliable(ReliableMessage m) {
            outbox.put(m.seq(), m);
            executor.tell(m);
        }


        synchronized long next() {
            return nextSeq();
        }

        void ackUpTo(long acked) {
            outbox.headMap(acked, true).clear();
        }

        boolean outboxEmpty() {
            return outbox.isEmpty();
        }

        void retransmit() {
            if (!silenced) {
                ActorRef<ExecutorMessage> to = executor;
                outbox.values().forEach(to::tell);
            }
        }

        @Override
        public void subtestStarted(String resultKey, int it, long atMillis) {
            currentKey = resultKey;
            iteration = it;
            if (!silenced) {
                synchronized (this) {
                    sendReliable(new SubtestStarted(batch.leaseId(), batch.epoch(), next(), resultKey, it, atMillis));
                }
            }
        }

        @Override
        public void subtestFinished(String resultKey, String statusLine, String status, int durationSecs,
                                    long startedAtMillis, long finishedAtMillis, int it, String fullLogKey) {
            if (!silenced) {
                synchronized (this) {
                    sendReliable(new SubtestFinished(batch.leaseId(), batch.epoch(), next(), resultKey, statusLine,
                            status, durationSecs, startedAtMillis, finishedAtMillis, it, fullLogKey, run));
                }
            }
        }

        @Override
        public void artifact(String resultKey, String kind, int it, byte[] brotli) {
            int offset = 0;
            do {
                int n = Math.min(LogChunk.MAX_CHUNK_BYTES, brotli.length - offset);
                byte[] part = java.util.Arrays.copyOfRange(brotli, offset, offset + n);
                boolean eof = offset + n >= brotli.length;
                if (!silenced) {
                    synchronized (this) {
                        sendReliable(new LogChunk(batch.leaseId(), batch.epoch(), next(), kind, resultKey, it, offset,
                                brotli.length, part, eof));
                    }
                }
                offset += n;
            } while (offset < brotli.length);
        }

        @Override
        public void runInfo(int it, String info) {
            run = info;
        }

        @Override
        public void consoleLine(String line) {
            if (!silenced) {
                live.add(line);
            }
        }

        /** Best effort: no sequence number, no acknowledgement, never retransmitted. */
        void sendLive() {
            List<String> lines = live.drain();
            if (!lines.isEmpty() && !silenced) {
                byte[] data = String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                executor.tell(new LogChunk(batch.leaseId(), batch.epoch(), 0, LogChunk.KIND_LIVE, currentKey,
                        iteration, 0, -1, data, false));
            }
        }

        @Override
        public void note(String line) {
            org.slf4j.LoggerFactory.getLogger(SlotRunner.class).info("lease={} {}", batch.leaseId(), line);
        }
    }
}
