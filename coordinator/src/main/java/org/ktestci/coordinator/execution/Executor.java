package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictOutcome;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseEndKind;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LeaseMessage;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.WireAdapter;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One per host slot: claims a batch, dispatches it to the slot's worker, accepts only messages of the current
 * lease (fencing by lease id + epoch, protocol.md §4.2), records verdicts and log artifacts, and ends the lease
 * when the worker finishes, refuses, goes silent past {@code lease_timeout} or its host goes down.
 *
 * <p>Reliable messages are processed strictly in sequence order; the cumulative {@code Ack} only covers a
 * message once what it carried is durable (its verdict persisted, its artifact chunk written), so a verdict the
 * worker stops re-sending can never be lost by a coordinator crash.
 *
 * <p>Workers reach it only with {@link ExecutorMessage}s, each checked field by field ({@link LeaseMessageCheck})
 * at the door ({@link Wire}, {@link Malformed}); the order of reliable messages is the {@link LeaseInbox}'s. The
 * lease lives in an {@link ExecutorState} outside the behaviour, which restarts after a failure without losing it.
 */
public final class Executor extends AbstractBehavior<Executor.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits Wire, Malformed, Foreign, Offered, Tick, HostDown, HostReachability, Revoke, GetSlot, Durable {}

    /** A worker's message as it came from the cluster, its fields within their rules ({@link LeaseMessageCheck}). */
    record Wire(LeaseMessage message) implements Command {}

    /** A worker's message with a field out of its rules: refused before anything else looks at it. */
    record Malformed(LeaseMessage message, String problem) implements Command {}

    /** Anything else the cluster delivered: logged and counted. */
    record Foreign(Object message) implements Command {}

    record Offered(BatchOffer offer) implements Command {}

    private record Tick() implements Command {}

    /**
     * The slot's host left ({@code member_down}) or said goodbye ({@code worker_shutdown}): end any lease and
     * stop. {@code downId} is shared by the executors of one host-down, so it counts once for quarantine.
     */
    public record HostDown(LeaseEndReason reason, String downId) implements Command {}

    /** The slot's host became unreachable (take no new leases) or reachable again (README decision 10). */
    public record HostReachability(boolean reachable) implements Command {}

    /** Admin: end the lease {@code leaseId} if this slot runs it (reason {@code admin_revoke}); replies whether it did. */
    public record Revoke(String leaseId, ActorRef<StatusReply<Boolean>> replyTo) implements Command {}

    /** What the slot's current lease looks like, for {@code /api/v1/workers}. */
    public record GetSlot(ActorRef<SlotView> replyTo) implements Command {}

    /** {@code lease} is empty when idle; {@code currentKey} is the subtest the worker last reported. */
    public record SlotView(String host, int slot, Optional<LeaseGrant> lease, String currentKey, long startedAtMillis,
                           long lastHeartbeatMillis, boolean reachable) implements NoSerializationVerificationNeeded {}

    /** A lease this executor takes over after a coordinator restart, with the next sequence number it expects. */
    public record Resumed(LeaseGrant grant, long expectedSeq) {}

    /** A durable effect of the request {@code token} completed (or, {@code ok = false}, timed out). */
    private record Durable(long token, boolean ok, VerdictOutcome.Result outcome) implements Command {}

    /** The refs the executor hands out; made once, so they stay the same across restarts. */
    private record Ports(ActorRef<ExecutorMessage> wire, ActorRef<BatchOffer> offers,
                         ActorRef<VerdictOutcome> verdictReplies, ActorRef<ArtifactStore.Written> chunkReplies) {}

    private static final Duration RESEND = Duration.ofSeconds(10);
    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DURABLE_TIMEOUT = Duration.ofSeconds(30);

    private final SlotId slot;
    private final String arch;
    private final ActorRef<AgentMessage> agent;
    private final ActorRef<JobWindow.Command> window;
    private final Supplier<SchedulerSettings> settings;
    private final CoordinatorMetrics metrics;
    private final Ports ports;
    private final ExecutorState s;
    private final LeaseRefusals refusals;
    private final LeaseRecorder recorder;
    private final LeaseMessageHandler apply;

    public static Behavior<Object> create(SlotId slot, String arch, ActorRef<AgentMessage> agent,
                                          ActorRef<JobWindow.Command> window,
                                          ActorRef<ResultsStore.Command> results,
                                          ActorRef<ArtifactStore.Command> artifacts,
                                          SchedulerSettings settings, CoordinatorMetrics metrics,
                                          Optional<Resumed> resumed) {
        return create(slot, arch, agent, window, results, artifacts, () -> settings, metrics, resumed, LiveEvents.NONE);
    }

    /**
     * The executor's ref is an {@code ActorRef<Object>}: {@link #wire} gives the one workers use, {@link #commands}
     * the one for local senders. Wire messages are checked at that door: they arrive as {@link Wire} or
     * {@link Malformed}.
     */
    public static Behavior<Object> create(SlotId slot, String arch, ActorRef<AgentMessage> agent,
                                          ActorRef<JobWindow.Command> window,
                                          ActorRef<ResultsStore.Command> results,
                                          ActorRef<ArtifactStore.Command> artifacts,
                                          Supplier<SchedulerSettings> settings,
                                          CoordinatorMetrics metrics, Optional<Resumed> resumed,
                                          LiveEvents live) {
        return Behaviors.setup(outer -> {
            ExecutorState state = new ExecutorState();
            resumed.ifPresent(r -> {
                state.startLease(r.grant(), System.currentTimeMillis(), r.expectedSeq());
                state.accepted = true;
                state.dispatchedAt = r.grant().grantedAtMillis();
            });
            Ports ports = new Ports(wire(outer.getSelf()), outer.messageAdapter(BatchOffer.class, Offered::new),
                    outer.messageAdapter(VerdictOutcome.class, o -> new Durable(o.token(), true, o.result())),
                    outer.messageAdapter(ArtifactStore.Written.class,
                            w -> new Durable(w.token(), w.ok(), VerdictOutcome.Result.RECORDED)));
            Behavior<Command> restartable = Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(
                    timers -> new Executor(ctx, timers, slot, arch, agent, window, results, artifacts, settings,
                            metrics, live, ports, state)))).onFailure(SupervisorStrategy.restart());
            return WireAdapter.wrap(ExecutorMessage.class, Executor::checked, Command.class, Foreign::new,
                    restartable);
        });
    }

    /** The door for workers: every field checked before the executor sees the message. */
    private static Command checked(ExecutorMessage m) {
        LeaseMessage l = (LeaseMessage) m; // the only kind of ExecutorMessage (sealed)
        Optional<String> problem = LeaseMessageCheck.problem(m);
        return problem.isPresent() ? new Malformed(l, problem.get()) : new Wire(l);
    }

    /** The ref a worker sends lease messages to. */
    public static ActorRef<ExecutorMessage> wire(ActorRef<?> executor) {
        return executor.<Object>unsafeUpcast().narrow();
    }

    /** The ref the coordinator's own actors use. */
    public static ActorRef<Command> commands(ActorRef<?> executor) {
        return executor.<Object>unsafeUpcast().narrow();
    }

    private Executor(ActorContext<Command> ctx, TimerScheduler<Command> timers, SlotId slot, String arch,
                     ActorRef<AgentMessage> agent, ActorRef<JobWindow.Command> window,
                     ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                     Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics, LiveEvents live, Ports ports,
                     ExecutorState state) {
        super(ctx);
        this.slot = slot;
        this.arch = arch;
        this.agent = agent;
        this.window = window;
        this.settings = settings;
        this.metrics = metrics;
        this.ports = ports;
        this.s = state;
        this.refusals = new LeaseRefusals(slot, agent, metrics, ctx.getLog());
        this.recorder = new LeaseRecorder(slot, results, artifacts, ports.verdictReplies(), ports.chunkReplies(), live,
                state);
        this.apply = new LeaseMessageHandler(this, state, metrics, recorder);
        timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofSeconds(1));
        if (!s.started) {
            s.started = true;
            if (s.lease != null) {
                s.lastRenewed = System.currentTimeMillis();
                ctx.getLog().info("lease resumed: slot={} lease={} expected_seq={}", slot, s.lease.leaseId(),
                        s.inbox.expectedSeq());
            } else {
                claim();
            }
            return;
        }
        s.rewindAfterFailure();
        ctx.getLog().warn("executor restarted after a failure: slot={} lease={} expected_seq={}", slot,
                s.lease == null ? "none" : s.lease.leaseId(), s.inbox.expectedSeq());
        if (s.lease == null) {
            if (!s.claimOutstanding) {
                claim();
            }
        } else if (s.accepted) {
            sendAck(); // the worker re-sends from the first message not yet durable
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wire.class, w -> onWire(w.message()))
                .onMessage(Malformed.class, m -> {
                    refusals.refuse(m.message(), RejectReason.MALFORMED, m.problem());
                    return this;
                })
                .onMessage(Foreign.class, f -> {
                    refusals.foreign(f.message());
                    return this;
                })
                .onMessage(Offered.class, o -> onOffer(o.offer()))
                .onMessage(Tick.class, t -> onTick())
                .onMessage(HostDown.class, this::onHostDown)
                .onMessage(HostReachability.class, this::onReachability)
                .onMessage(GetSlot.class, this::onGetSlot)
                .onMessage(Revoke.class, this::onRevoke)
                .onMessage(Durable.class, this::onDurable)
                .build();
    }

    private Behavior<Command> onGetSlot(GetSlot q) {
        q.replyTo().tell(new SlotView(slot.host(), slot.index(), Optional.ofNullable(s.lease), s.currentKey,
                s.dispatchedAt, s.lastRenewed, !s.hostUnreachable));
        return this;
    }

    private Behavior<Command> onReachability(HostReachability r) {
        s.hostUnreachable = !r.reachable();
        if (s.hostUnreachable) {
            // Running leases go on until renewed or timed out; only new work stays away from this host.
            s.claimOutstanding = false;
            window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        } else if (s.lease == null) {
            claim();
        }
        return this;
    }

    private void claim() {
        if (!s.hostUnreachable) {
            s.claimOutstanding = true;
            window.tell(new JobWindow.ClaimBatch(slot.host(), slot.index(), arch, ports.offers()));
        }
    }

    private Behavior<Command> onOffer(BatchOffer offer) {
        if (s.lease != null) {
            // Cannot happen with one claim outstanding; give the batch straight back rather than lose it.
            window.tell(new JobWindow.EndLease(offer.grant().leaseId(), LeaseEndKind.REFUSED,
                    LeaseEndReason.DISPATCH_TIMEOUT, Map.of(), Set.of()));
            return this;
        }
        s.claimOutstanding = false;
        long now = System.currentTimeMillis();
        s.startLease(offer.grant(), now, 1); // first: whatever fails after this, the lease is known
        sendRunBatch(now);
        return this;
    }

    private void sendRunBatch(long now) {
        s.lastSentRunBatch = now;
        agent.tell(RunBatches.of(s.lease, slot.index(), arch, settings.get().subtestTimeout(), ports.wire()));
    }

    private Behavior<Command> onTick() {
        if (s.lease == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        for (long token : s.inbox.overdue(now, DURABLE_TIMEOUT.toMillis())) {
            // Unanswered for DURABLE_TIMEOUT counts as failed (the store restarted, a disk hung).
            getContext().getSelf().tell(new Durable(token, false, null));
        }
        if (!s.accepted) {
            if (now - s.dispatchedAt >= DISPATCH_TIMEOUT.toMillis()) {
                metrics.leaseExpiries.labelValues(LeaseEndReason.DISPATCH_TIMEOUT.wireName()).inc();
                endLease(LeaseEndKind.ABANDONED, LeaseEndReason.DISPATCH_TIMEOUT, Map.of(), true, "");
            } else if (now - s.lastSentRunBatch >= RESEND.toMillis()) {
                sendRunBatch(now);
            }
        } else if (now - s.lastRenewed >= settings.get().leaseTimeout().toMillis()) {
            metrics.leaseExpiries.labelValues(LeaseEndReason.LEASE_TIMEOUT.wireName()).inc();
            endLease(LeaseEndKind.EXPIRED, LeaseEndReason.LEASE_TIMEOUT, Map.of(), true, "");
        }
        return this;
    }

    private Behavior<Command> onHostDown(HostDown down) {
        if (s.lease != null) {
            if (down.reason() == LeaseEndReason.MEMBER_DOWN) {
                metrics.leaseExpiries.labelValues(LeaseEndReason.MEMBER_DOWN.wireName()).inc();
            }
            endLease(LeaseEndKind.HOST_DOWN, down.reason(), Map.of(), false, down.downId());
        }
        window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        return Behaviors.stopped();
    }

    private Behavior<Command> onRevoke(Revoke r) {
        boolean mine = s.lease != null && s.lease.leaseId().equals(r.leaseId());
        if (mine) {
            getContext().getLog().warn("lease revoked by admin: lease={} slot={}", s.lease.leaseId(), slot);
            endLease(LeaseEndKind.REVOKED, LeaseEndReason.ADMIN_REVOKE, Map.of(), true, "");
        }
        r.replyTo().tell(StatusReply.success(mine));
        return this;
    }

    /** A checked worker message: tied to the slot's host, fenced to the current lease, then applied by kind. */
    private Behavior<Command> onWire(LeaseMessage m) {
        if (m instanceof LeaseHeartbeat hb && !hb.replyTo().path().address().equals(agent.path().address())) {
            refusals.refuse(m, RejectReason.WRONG_HOST, "reply address " + hb.replyTo().path().address() + " is not "
                    + slot.host() + "'s node " + agent.path().address());
            return this;
        }
        if (s.lease == null || !s.lease.leaseId().equals(m.leaseId()) || s.lease.epoch() != m.epoch()) {
            if (m instanceof LogChunk c && !c.reliable()) {
                // Live console lines are best effort and may trail the batch's end: not a stale worker.
                getContext().getLog().debug("late live log dropped: slot={} lease={}", slot, m.leaseId());
            } else {
                refusals.stale(m);
            }
            return this;
        }
        s.lastRenewed = System.currentTimeMillis();
        m.accept(apply);
        return this;
    }

    private Behavior<Command> onDurable(Durable d) {
        if (s.lease == null) {
            return this;
        }
        Optional<LeaseInbox.Pending> answered = s.inbox.answered(d.token());
        if (answered.isEmpty()) {
            return this;
        }
        LeaseInbox.Pending p = answered.get();
        if (!d.ok()) {
            // Not durable: rewind to it; the worker re-sends from there and what follows is processed again
            // (verdicts already recorded come back as duplicates, chunks are rewritten in place).
            getContext().getLog().warn("result not stored in time, rewinding: slot={} lease={} seq={}", slot,
                    s.lease.leaseId(), p.seq());
            s.forgetVerdict(p.key());
            s.rewindTo(p.seq());
        } else if (d.outcome() == VerdictOutcome.Result.NOT_CLAIMED) {
            s.forgetVerdict(p.key());
        }
        sendAck();
        finishWhenDurable();
        return this;
    }

    void sendAck() {
        if (s.lease != null) {
            agent.tell(new Ack(s.lease.leaseId(), s.inbox.ackedSeq()));
        }
    }

    /** BatchFinished ends the lease only once every verdict and artifact before it is durable. */
    void finishWhenDurable() {
        if (s.pendingFinish == null || !s.inbox.settled()) {
            return;
        }
        BatchFinished b = s.pendingFinish;
        s.pendingFinish = null;
        sendAck();
        for (BatchFinished.Iteration it : b.iterations()) {
            metrics.vmRun.labelValues(it.arch(), it.runner()).observe(it.seconds());
        }
        Map<String, LeaseEndReason> unreached = new HashMap<>(s.unknownKeys);
        b.unreached().forEach(u -> unreached.put(u.resultKey(), u.reason()));
        LeaseEndReason reason = switch (b.outcome()) {
            case COMPLETED -> LeaseEndReason.COMPLETED;
            case ARCH_MISMATCH -> LeaseEndReason.ARCH_MISMATCH;
            case INFRA_FAILURE, UNKNOWN -> b.reason(); // UNKNOWN never passes LeaseMessageCheck
        };
        endLease(LeaseEndKind.of(b.outcome()), reason, unreached, false, "", b.declaredArch());
    }

    /** The worker refused the batch: the lease ends with {@code reason}, its jobs back to pending. */
    void refused(LeaseEndReason reason) {
        endLease(LeaseEndKind.REFUSED, reason, Map.of(), false, "");
    }

    private void endLease(LeaseEndKind outcome, LeaseEndReason reason, Map<String, LeaseEndReason> unreached,
                          boolean revoke, String downId) {
        endLease(outcome, reason, unreached, revoke, downId, "");
    }

    private void endLease(LeaseEndKind outcome, LeaseEndReason reason, Map<String, LeaseEndReason> unreached,
                          boolean revoke, String downId, String declaredArch) {
        LeaseGrant ended = s.lease;
        Map<String, LeaseEndReason> notDone = new HashMap<>(s.unknownKeys);
        notDone.putAll(unreached);
        Set<String> verdicts = Set.copyOf(s.verdictKeys);
        s.endLease();
        if (revoke) {
            agent.tell(new RevokeLease(ended.leaseId(), ended.epoch(), reason));
        }
        getContext().getLog().info("lease over: slot={} lease={} outcome={} reason={} verdicts={}/{}", slot,
                ended.leaseId(), outcome, reason, verdicts.size(), ended.jobs().size());
        window.tell(new JobWindow.EndLease(ended.leaseId(), outcome, reason, Map.copyOf(notDone), verdicts,
                declaredArch == null ? "" : declaredArch, downId));
        recorder.discardPartial(ended);
        if (outcome != LeaseEndKind.HOST_DOWN) {
            claim();
        }
    }
}
