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
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WireRules;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one batch at a time for slot {@code n}: refuses invalid batches (before it looks at their epoch) and stale
 * epochs, accepts, runs the batch on the blocking dispatcher, sends its reports to the lease's executor through
 * the lease's {@link LeaseOutbox}, heartbeats ({@link HeartbeatWatch}), and aborts the run when the coordinator
 * revokes the lease or says it is gone.
 *
 * <p>It takes only local commands: coordinator messages reach it from the {@link WorkerAgent}, which checked who
 * sent them and every field ({@link FromCoordinator}); its heartbeats ask for answers through the same door. The
 * batch's thread posts its reports ({@link FromRun}) and shares no state with it.
 */
public final class SlotRunner extends AbstractBehavior<SlotRunner.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits FromCoordinator, FromRun, HeartbeatTick, RetransmitTick, LiveTick, RunEnded, Drain, ResumeLease,
            AbandonLease, LeaseTiming, CoordinatorPresence {}

    /**
     * A coordinator message the agent took from the gateway that acknowledged its hello; {@code via} is that
     * gateway's door, where heartbeat answers come back.
     */
    public record FromCoordinator(AgentMessage message, ActorRef<AgentMessage> via) implements Command {}

    /** What the run of {@code leaseId} reported, posted from its thread by its {@link RunReporter}. */
    record FromRun(String leaseId, RunEvent event) implements Command {}

    private record HeartbeatTick() implements Command {}

    private record RetransmitTick() implements Command {}

    /** Sends the running lease's pending console lines to live viewers (at most 4 per second). */
    private record LiveTick() implements Command {}

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

    /** Whether a coordinator gateway is reachable ({@link HeartbeatWatch#presence}). */
    public record CoordinatorPresence(boolean present) implements Command {}

    private static final Duration LIVE_INTERVAL = Duration.ofMillis(250);
    private static final Duration RETRANSMIT = Duration.ofSeconds(5);

    private final int slot;
    private final BatchRun.Factory factory;
    private final BatchCheck batchCheck;
    private final TimerScheduler<Command> timers;
    private final HeartbeatWatch watch;
    private long lastEpoch = Long.MIN_VALUE;
    private SlotRun running;
    private ActorRef<Drained> drainedReply;
    /** A batch that came while the stopped run was still winding down; it starts when that run has ended. */
    private RunBatch waiting;
    private ActorRef<AgentMessage> waitingVia;
    private final OwingLeases owing;

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
        this.slot = slot;
        this.factory = factory;
        this.batchCheck = batchCheck;
        this.owing = new OwingLeases(slot, active);
        this.watch = new HeartbeatWatch(heartbeatInterval, Duration.ofSeconds(12));
        timers.startTimerWithFixedDelay("retransmit", new RetransmitTick(), RETRANSMIT);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromCoordinator.class, this::onCoordinator)
                .onMessage(FromRun.class, this::onFromRun)
                .onMessage(HeartbeatTick.class, t -> onHeartbeatTick())
                .onMessage(RunEnded.class, this::onRunEnded)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(RetransmitTick.class, t -> onRetransmit())
                .onMessage(LiveTick.class, t -> onLiveTick())
                .onMessage(ResumeLease.class, this::onResume)
                .onMessage(AbandonLease.class, this::onAbandon)
                .onMessage(LeaseTiming.class, this::onLeaseTiming)
                .onMessage(CoordinatorPresence.class, p -> {
                    watch.presence(p.present());
                    return this;
                })
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

    private static void refuse(RunBatch b, RefusalReason reason) {
        b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), reason));
    }

    private Behavior<Command> onRunBatch(RunBatch b, ActorRef<AgentMessage> via) {
        Optional<BatchValidator.Refusal> refusal = batchCheck.check(b);
        BatchAdmission.Decision d = BatchAdmission.decide(b, refusal, new BatchAdmission.SlotState(
                running == null ? null : running.leaseId(), running != null && running.stopping, waiting, lastEpoch,
                drainedReply != null));
        if (d instanceof BatchAdmission.AcceptAgain) {
            b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch()));
        } else if (d instanceof BatchAdmission.Refuse r) {
            if (r.reason() == RefusalReason.BAD_BATCH) {
                getContext().getLog().warn("batch refused (bad_batch): slot={} lease={}: {}", slot,
                        WireRules.quote(b.leaseId()), refusal.map(BatchValidator.Refusal::detail).orElse(""));
            }
            refuse(b, r.reason());
        } else if (d instanceof BatchAdmission.Wait w) {
            w.displaced().ifPresent(displaced -> refuse(displaced, RefusalReason.STALE_EPOCH));
            waiting = b;
            waitingVia = via;
        } else {
            start(b, via, refusal);
        }
        return this;
    }

    private void start(RunBatch b, ActorRef<AgentMessage> via, Optional<BatchValidator.Refusal> refusal) {
        lastEpoch = b.epoch();
        running = new SlotRun(b, via);
        owing.add(running.outbox);
        watch.answered();
        LeaseSink reporter = new RunReporter(getContext().getSelf(), b.leaseId());
        if (refusal.isPresent()) {
            // A kernel this worker may not boot: the batch ends as no_kernel, as for a kernel that is not there.
            getContext().getLog().warn("batch not run (no_kernel): slot={} lease={}: {}", slot, b.leaseId(),
                    refusal.get().detail());
            running.run = BatchRun.failed(b, LeaseEndReason.NO_KERNEL, refusal.get().detail(), reporter);
        } else {
            running.run = factory.create(b, reporter);
        }
        b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch()));
        getContext().getLog().info("batch started: slot={} lease={} epoch={} commit={} test={} subtests={}", slot,
                b.leaseId(), b.epoch(), b.commit(), b.test(), b.subtests().size());
        BatchRun thisRun = running.run;
        CompletableFuture<BatchFinished> f = CompletableFuture.supplyAsync(thisRun::execute,
                getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        getContext().pipeToSelf(f, (res, err) -> new RunEnded(b.leaseId(), res, err));
        timers.startTimerWithFixedDelay("heartbeat", new HeartbeatTick(), watch.interval());
        timers.startTimerWithFixedDelay("live", new LiveTick(), LIVE_INTERVAL);
    }

    private Behavior<Command> onFromRun(FromRun r) {
        if (running != null && running.leaseId().equals(r.leaseId())) { // else of a run that has ended
            running.report(r.event());
            owing.published(running.outbox);
        }
        return this;
    }

    private Behavior<Command> onLeaseTiming(LeaseTiming t) {
        if (watch.timing(t.heartbeatInterval(), t.leaseTimeout()) && running != null) {
            timers.startTimerWithFixedDelay("heartbeat", new HeartbeatTick(), watch.interval());
        }
        return this;
    }

    private Behavior<Command> onLiveTick() {
        if (running != null) {
            running.sendLive();
        }
        return this;
    }

    private boolean runs(LeaseOutbox<SlotRun.Route> outbox) {
        return running != null && running.outbox == outbox;
    }

    private Behavior<Command> onHeartbeatTick() {
        if (running == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        if (watch.tick(now, running.outbox.silenced()) == HeartbeatWatch.Tick.GIVE_UP) {
            getContext().getLog().warn("no valid heartbeat answer for {} s, aborting: slot={} lease={}",
                    watch.leaseTimeout().toSeconds(), slot, running.leaseId());
            owing.forget(running.leaseId());
            abortRunning(false);
            return this;
        }
        running.heartbeat(slot, now);
        return this;
    }

    private Behavior<Command> onResume(ResumeLease r) {
        LeaseOutbox<SlotRun.Route> outbox = owing.get(r.leaseId());
        if (outbox != null) {
            if (runs(outbox)) {
                watch.answered();
            }
            getContext().getLog().info("lease resumed by the coordinator: slot={} lease={} from seq {}", slot,
                    r.leaseId(), r.expectedSeq());
            outbox.resume(new SlotRun.Route(r.executor(), r.via()), r.expectedSeq());
            owing.settle(outbox, runs(outbox));
        }
        return this;
    }

    private Behavior<Command> onAbandon(AbandonLease a) {
        LeaseOutbox<SlotRun.Route> outbox = owing.get(a.leaseId());
        if (outbox != null) {
            getContext().getLog().warn("coordinator abandoned lease {}; dropping its results", a.leaseId());
            owing.forget(a.leaseId());
            if (runs(outbox)) {
                abortRunning(true);
            }
        }
        return this;
    }

    private Behavior<Command> onAck(Ack ack) {
        LeaseOutbox<SlotRun.Route> outbox = owing.get(ack.leaseId());
        if (outbox == null) {
            return this;
        }
        if (outbox.ack(ack.ackedSeq()) == LeaseOutbox.AckResult.BEYOND_SENT) {
            // It would drop results the executor cannot have: not from the lease's executor.
            getContext().getLog().warn("ack beyond what was sent ignored: slot={} lease={} acked={} sent={}", slot,
                    ack.leaseId(), ack.ackedSeq(), outbox.sentSeq());
        } else {
            owing.settle(outbox, runs(outbox));
        }
        return this;
    }

    /**
     * A {@code stale_lease} of this lease (id and epoch) ends it here too. {@code malformed} is only logged: the
     * coordinator cannot tell who sent the message it refused, so it must not cost the run; a run whose own
     * message was refused stops being renewed when it ends, and the lease then times out.
     */
    private Behavior<Command> onReject(Reject r) {
        LeaseOutbox<SlotRun.Route> outbox = owing.get(r.leaseId());
        if (outbox != null && r.reason() == RejectReason.MALFORMED) {
            getContext().getLog().warn("coordinator refused a message of lease {} (seq {}) as malformed", r.leaseId(),
                    r.seq());
        } else if (outbox != null && outbox.epoch() == r.epoch()) {
            owing.forget(r.leaseId());
            getContext().getLog().warn("coordinator rejected lease {} ({}); dropping its unsent results", r.leaseId(),
                    r.reason());
            if (runs(outbox)) {
                abortRunning(true);
            }
        }
        return this;
    }

    private Behavior<Command> onRetransmit() {
        owing.retransmit();
        return this;
    }

    private Behavior<Command> onHeartbeatAck(HeartbeatAck ack) {
        boolean ours = running != null && running.is(ack.leaseId(), ack.epoch());
        if (ours && ack.valid() && running.outbox.ack(ack.ackedSeq()) == LeaseOutbox.AckResult.APPLIED) {
            watch.answered();
            owing.published(running.outbox);
        }
        if (ours && !ack.valid()) {
            getContext().getLog().warn("lease no longer valid, aborting: slot={} lease={}", slot, ack.leaseId());
            abortRunning(false);
        }
        return this;
    }

    private Behavior<Command> onRevoke(RevokeLease r) {
        if (running != null && running.is(r.leaseId(), r.epoch())) {
            getContext().getLog().warn("lease revoked, aborting: slot={} lease={} reason={}", slot, r.leaseId(),
                    r.reason());
            abortRunning(false);
        }
        return this;
    }

    private Behavior<Command> onDrain(Drain d) {
        drainedReply = d.replyTo();
        if (running == null) {
            d.replyTo().tell(new Drained(slot));
        } else {
            getContext().getLog().info("agent stopping, aborting batch: slot={} lease={}", slot, running.leaseId());
            abortRunning(true);
        }
        return this;
    }

    /**
     * Stops the running batch. {@code silence}: the coordinator said the lease is gone (Reject, abandon) or we are
     * leaving, so nothing more is sent under it. Otherwise (revoked, heartbeat refused or unanswered) what the
     * run still produces goes out and is fenced off by the executor, which counts it (protocol.md §4.2).
     */
    private void abortRunning(boolean silence) {
        running.stopping = true;
        if (silence) {
            running.outbox.silence();
        }
        running.run.abort();
    }

    private Behavior<Command> onRunEnded(RunEnded e) {
        if (running == null || !running.leaseId().equals(e.leaseId())) {
            return this;
        }
        SlotRun ended = running;
        RunBatch b = ended.batch;
        BatchFinished result = e.error() == null ? e.result()
                : new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, LeaseEndReason.AGENT_ERROR, "", List.of(),
                        List.of());
        if (e.error() != null) {
            getContext().getLog().error("batch crashed: slot={} lease={}: {}", slot, b.leaseId(), e.error().toString());
        }
        if (ended.outbox.silenced()) {
            owing.forget(b.leaseId());
        } else {
            ended.finished(result);
        }
        getContext().getLog().info("batch finished: slot={} lease={} outcome={} reason={}", slot, b.leaseId(),
                result.outcome(), result.reason());
        timers.cancel("heartbeat");
        timers.cancel("live");
        ended.sendLive();
        running = null;
        owing.settle(ended.outbox, false);
        if (drainedReply != null) {
            drainedReply.tell(new Drained(slot)); // the run's processes are gone: safe to leave
        }
        if (waiting != null) {
            RunBatch next = waiting;
            ActorRef<AgentMessage> nextVia = waitingVia;
            waiting = null;
            waitingVia = null;
            if (drainedReply != null) {
                refuse(next, RefusalReason.DRAINING);
            } else {
                getContext().getLog().info("starting the batch that waited for the stopped run: slot={} lease={}",
                        slot, next.leaseId());
                return onRunBatch(next, nextVia);
            }
        }
        return this;
    }
}
