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
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LeaseMessage;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectLog;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WireAdapter;
import org.ktestci.protocol.WireRules;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * <p>Workers reach it only with {@link ExecutorMessage}s ({@link Wire}); each is checked field by field
 * ({@link LeaseMessageCheck}) before anything changes. The lease lives in an {@link ExecutorState} outside the
 * behaviour, which restarts after a failure without losing it.
 */
public final class Executor extends AbstractBehavior<Executor.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits Wire, Foreign, Offered, Tick, HostDown, HostReachability, Revoke, GetSlot, Durable {}

    /** A worker's message as it came from the cluster. */
    record Wire(ExecutorMessage message) implements Command {}

    /** Anything else the cluster delivered: logged and counted. */
    record Foreign(Object message) implements Command {}

    record Offered(BatchOffer offer) implements Command {}

    private record Tick() implements Command {}

    /**
     * The slot's host left ({@code member_down}) or said goodbye ({@code worker_shutdown}): end any lease and
     * stop. {@code downId} is shared by the executors of one host-down, so it counts once for quarantine.
     */
    public record HostDown(String reason, String downId) implements Command {}

    /** The slot's host became unreachable (take no new leases) or reachable again (README decision 10). */
    public record HostReachability(boolean reachable) implements Command {}

    /** Admin: end the lease {@code leaseId} if this slot runs it (reason {@code admin_revoke}); replies whether it did. */
    public record Revoke(String leaseId, ActorRef<Boolean> replyTo) implements Command {}

    /** What the slot's current lease looks like, for {@code /api/v1/workers}. */
    public record GetSlot(ActorRef<SlotView> replyTo) implements Command {}

    /** {@code lease} is empty when idle; {@code currentKey} is the subtest the worker last reported. */
    public record SlotView(String host, int slot, Optional<LeaseGrant> lease, String currentKey, long startedAtMillis,
                           long lastHeartbeatMillis, boolean reachable) implements NoSerializationVerificationNeeded {}

    /** A lease this executor takes over after a coordinator restart, with the next sequence number it expects. */
    public record Resumed(LeaseGrant grant, long expectedSeq) {}

    /** A durable effect of the request {@code token} completed (or, {@code ok = false}, timed out). */
    private record Durable(long token, boolean ok, String outcome) implements Command {}

    /** The refs the executor hands out; made once, so they stay the same across restarts. */
    private record Ports(ActorRef<ExecutorMessage> wire, ActorRef<BatchOffer> offers,
                         ActorRef<ResultsStore.VerdictOutcome> verdictReplies,
                         ActorRef<ArtifactStore.Written> chunkReplies) {}

    private static final Duration RESEND = Duration.ofSeconds(10);
    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DURABLE_TIMEOUT = Duration.ofSeconds(30);

    private final SlotId slot;
    private final String arch;
    private final ActorRef<AgentMessage> agent;
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final ActorRef<ArtifactStore.Command> artifacts;
    private final Supplier<SchedulerSettings> settings;
    private final CoordinatorMetrics metrics;
    private final LiveEvents live;
    private final Ports ports;
    private final ExecutorState s;
    private final RejectLog rejectLog = new RejectLog();

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
     * the one for local senders.
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
                state.startLease(r.grant(), System.currentTimeMillis());
                state.accepted = true;
                state.expectedSeq = r.expectedSeq();
                state.dispatchedAt = r.grant().grantedAtMillis();
            });
            Ports ports = new Ports(wire(outer.getSelf()), outer.messageAdapter(BatchOffer.class, Offered::new),
                    outer.messageAdapter(ResultsStore.VerdictOutcome.class,
                            o -> new Durable(o.token(), true, o.outcome())),
                    outer.messageAdapter(ArtifactStore.Written.class, w -> new Durable(w.token(), w.ok(), "written")));
            Behavior<Command> restartable = Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(
                    timers -> new Executor(ctx, timers, slot, arch, agent, window, results, artifacts, settings,
                            metrics, live, ports, state)))).onFailure(SupervisorStrategy.restart());
            return WireAdapter.wrap(ExecutorMessage.class, Wire::new, Command.class, Foreign::new, restartable);
        });
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
        this.live = live;
        this.slot = slot;
        this.arch = arch;
        this.agent = agent;
        this.window = window;
        this.results = results;
        this.artifacts = artifacts;
        this.settings = settings;
        this.metrics = metrics;
        this.ports = ports;
        this.s = state;
        timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofSeconds(1));
        if (!s.started) {
            s.started = true;
            if (s.lease != null) {
                s.lastRenewed = System.currentTimeMillis();
                ctx.getLog().info("lease resumed: slot={} lease={} expected_seq={}", slot, s.lease.leaseId(),
                        s.expectedSeq);
            } else {
                claim();
            }
            return;
        }
        s.rewindAfterFailure();
        ctx.getLog().warn("executor restarted after a failure: slot={} lease={} expected_seq={}", slot,
                s.lease == null ? "none" : s.lease.leaseId(), s.expectedSeq);
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
                .onMessage(Foreign.class, this::onForeign)
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
            window.tell(new JobWindow.LeaseEnded(offer.grant().leaseId(), "REFUSED", "dispatch_timeout", Map.of(),
                    Set.of()));
            return this;
        }
        s.claimOutstanding = false;
        long now = System.currentTimeMillis();
        s.startLease(offer.grant(), now); // first: whatever fails after this, the lease is known
        sendRunBatch(now);
        return this;
    }

    private void sendRunBatch(long now) {
        s.lastSentRunBatch = now;
        LeaseGrant lease = s.lease;
        Job first = lease.first();
        List<RunBatch.BatchSubtest> subtests = new ArrayList<>();
        for (Job j : lease.jobs()) {
            subtests.add(new RunBatch.BatchSubtest(j.key().subtest(), j.resultKey(), j.cost()));
        }
        List<RunBatch.Source> sources = first.sources().stream().map(x -> new RunBatch.Source(x.url(), x.ref())).toList();
        agent.tell(new RunBatch(lease.leaseId(), lease.epoch(), slot.index(), lease.attempt(), first.repo(),
                lease.commit(), sources, lease.fallbackUrl(), first.key().test(), first.key().kernel(),
                new HashMap<>(first.env()), arch, subtests, first.basename(), settings.get().subtestTimeout(),
                ports.wire()));
    }

    private Behavior<Command> onTick() {
        if (s.lease == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        expireRequests(now);
        if (!s.accepted) {
            if (now - s.dispatchedAt >= DISPATCH_TIMEOUT.toMillis()) {
                metrics.leaseExpiries.labelValues("dispatch_timeout").inc();
                endLease("ABANDONED", "dispatch_timeout", Map.of(), true, "");
            } else if (now - s.lastSentRunBatch >= RESEND.toMillis()) {
                sendRunBatch(now);
            }
        } else if (now - s.lastRenewed >= settings.get().leaseTimeout().toMillis()) {
            metrics.leaseExpiries.labelValues("lease_timeout").inc();
            endLease("EXPIRED", "lease_timeout", Map.of(), true, "");
        }
        return this;
    }

    private Behavior<Command> onHostDown(HostDown down) {
        if (s.lease != null) {
            if ("member_down".equals(down.reason())) {
                metrics.leaseExpiries.labelValues("member_down").inc();
            }
            endLease("HOST_DOWN", down.reason(), Map.of(), false, down.downId());
        }
        window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        return Behaviors.stopped();
    }

    private Behavior<Command> onRevoke(Revoke r) {
        boolean mine = s.lease != null && s.lease.leaseId().equals(r.leaseId());
        if (mine) {
            getContext().getLog().warn("lease revoked by admin: lease={} slot={}", s.lease.leaseId(), slot);
            endLease("REVOKED", "admin_revoke", Map.of(), true, "");
        }
        r.replyTo().tell(mine);
        return this;
    }

    private Behavior<Command> onForeign(Foreign f) {
        String type = f.message() == null ? "null" : f.message().getClass().getSimpleName();
        metrics.protocolRejects.labelValues("executor", "foreign", "not_a_lease_message").inc();
        rejectLog.admit("foreign", System.currentTimeMillis()).ifPresent(more -> getContext().getLog()
                .warn("message refused: slot={} type={}: not a lease message{}", slot, WireRules.quote(type), more));
        return this;
    }

    /** One door for everything a worker sends: checked, tied to the slot's host, fenced, then applied. */
    private Behavior<Command> onWire(ExecutorMessage m) {
        Optional<String> problem = LeaseMessageCheck.problem(m);
        if (problem.isPresent()) {
            return refuse((LeaseMessage) m, Reject.MALFORMED, problem.get());
        }
        LeaseMessage l = (LeaseMessage) m;
        if (m instanceof LeaseHeartbeat hb && !hb.replyTo().path().address().equals(agent.path().address())) {
            return refuse(l, Reject.WRONG_HOST, "reply address " + hb.replyTo().path().address() + " is not "
                    + slot.host() + "'s node " + agent.path().address());
        }
        if (s.lease == null || !s.lease.leaseId().equals(l.leaseId()) || s.lease.epoch() != l.epoch()) {
            if (m instanceof LogChunk c && !c.reliable()) {
                // Live console lines are best effort and may trail the batch's end: not a stale worker.
                getContext().getLog().debug("late live log dropped: slot={} lease={}", slot, l.leaseId());
                return this;
            }
            return reject(l);
        }
        s.lastRenewed = System.currentTimeMillis();
        boolean reliable = m instanceof ReliableMessage && !(m instanceof LogChunk c && !c.reliable());
        if (!reliable) {
            return onUnnumbered(l);
        }
        ReliableMessage r = (ReliableMessage) m;
        if (r.seq() != s.expectedSeq) {
            // Lower: a retransmitted duplicate, acknowledged again. Higher: a gap; the worker re-sends everything
            // unacknowledged, so drop it (go-back-N).
            sendAck();
            return this;
        }
        s.processingSeq = r.seq();
        s.expectedSeq++;
        s.accepted = true;
        boolean ackNow = apply(r);
        s.processingSeq = 0;
        s.processingKey = null;
        if (ackNow) {
            sendAck();
        }
        return this;
    }

    private Behavior<Command> onUnnumbered(LeaseMessage m) {
        if (m instanceof BatchAccepted) {
            if (!s.accepted) {
                metrics.dispatchLatency.observe((System.currentTimeMillis() - s.dispatchedAt) / 1000.0);
            }
            s.accepted = true;
        } else if (m instanceof BatchRefused r) {
            String reason = "draining".equals(r.reason()) ? "worker_shutdown" : "dispatch_timeout";
            endLease("REFUSED", reason, Map.of(), false, "");
        } else if (m instanceof LeaseHeartbeat hb) {
            s.accepted = true;
            s.currentKey = hb.currentKey();
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), true, s.ackedSeq()));
        } else if (m instanceof LogChunk c) {
            live.leaseLog(s.lease.leaseId(), c.data());
        }
        return this;
    }

    /** Applies the next reliable message; false when its acknowledgement waits for a durable effect or the end. */
    private boolean apply(ReliableMessage m) {
        if (m instanceof SubtestStarted st) {
            s.currentKey = st.resultKey();
            if (observation(st.resultKey()) == 0) { // a re-run leaves the verdict's page as it is
                results.tell(new ResultsStore.Started(s.lease.commit(), st.resultKey(), s.lease.leaseId(),
                        st.at() / 1000));
                live.started(s.lease.commit(), st.resultKey(), slot.host(), slot.index(), s.lease.leaseId(), st.at());
            }
        } else if (m instanceof SubtestFinished f) {
            if (isInLease(f.resultKey()) && !s.verdictKeys.contains(f.resultKey())
                    && !s.unknownKeys.containsKey(f.resultKey())) {
                recordVerdict(f);
            }
        } else if (m instanceof LogChunk c) {
            if (isInLease(c.resultKey())) {
                long token = request(c.seq(), c.resultKey());
                artifacts.tell(new ArtifactStore.Write(s.lease.commit(), c, token, ports.chunkReplies(),
                        observation(c.resultKey())));
            }
        } else if (m instanceof BatchFinished b) {
            s.pendingFinish = b;
            finishWhenDurable();
            return false;
        }
        return true;
    }

    /**
     * A message refused before any effect: counted, logged (a flood only in part) and answered. A heartbeat from
     * another node is answered {@code valid = false} at its own reply address; anything else gets
     * {@code Reject{reason}} at the slot's worker, which only logs a {@code malformed} one: whoever sent it, it
     * must not cost the slot's run.
     */
    private Behavior<Command> refuse(LeaseMessage m, String reason, String why) {
        String type = m.getClass().getSimpleName();
        metrics.protocolRejects.labelValues("executor", type, reason).inc();
        rejectLog.admit(type + "/" + reason, System.currentTimeMillis()).ifPresent(more -> getContext().getLog()
                .warn("message refused: slot={} type={} lease={} reason={}: {}{}", slot, type,
                        WireRules.quote(m.leaseId()), reason, why, more));
        if (!WireRules.leaseId(m.leaseId())) {
            return this;
        }
        if (m instanceof LeaseHeartbeat hb && Reject.WRONG_HOST.equals(reason)) {
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
        } else {
            agent.tell(new Reject(m.leaseId(), m.epoch(), m instanceof ReliableMessage r ? r.seq() : 0, reason));
        }
        return this;
    }

    private Behavior<Command> reject(LeaseMessage m) {
        String type = m.getClass().getSimpleName();
        metrics.staleMessages.labelValues(type).inc();
        getContext().getLog().warn("stale message rejected: slot={} type={} lease={} epoch={}", slot, type,
                m.leaseId(), m.epoch());
        if (m instanceof LeaseHeartbeat hb) {
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
        } else {
            agent.tell(new Reject(m.leaseId(), m.epoch(), m instanceof ReliableMessage r ? r.seq() : 0,
                    Reject.STALE_LEASE));
        }
        return this;
    }

    private void recordVerdict(SubtestFinished f) {
        s.processingKey = f.resultKey();
        Status status = StatusParser.parse(f.statusLine());
        if (status == Status.UNKNOWN) {
            s.unknownKeys.put(f.resultKey(), "unknown_status");
        } else {
            s.verdictKeys.add(f.resultKey());
        }
        long token = request(f.seq(), f.resultKey());
        int n = observation(f.resultKey());
        if (n > 0) {
            results.tell(new ResultsStore.Observe(s.lease.commit(), f.resultKey(), n, s.lease.leaseId(), slot.host(),
                    slot.index(), f.statusLine(), f.durationSecs(), f.finishedAt() / 1000, token,
                    ports.verdictReplies()));
            return;
        }
        results.tell(new ResultsStore.Verdict(s.lease.commit(), f.resultKey(), s.lease.leaseId(), s.lease.epoch(),
                f.statusLine(), f.durationSecs(), f.startedAt() / 1000, f.finishedAt() / 1000, f.fullLogKey(),
                f.run() == null ? "" : f.run(), token, ports.verdictReplies()));
    }

    /** The re-run number of {@code key}'s job in this lease (issue 14), 0 for the job giving the verdict. */
    private int observation(String key) {
        for (Job j : s.lease.jobs()) {
            if (j.resultKey().equals(key)) {
                return j.key().observation();
            }
        }
        return 0;
    }

    private long request(long seq, String key) {
        long token = ++s.nextToken;
        s.inflight.add(seq);
        s.requests.put(token, new ExecutorState.Pending(s.lease.leaseId(), seq, s.generation, key,
                System.currentTimeMillis()));
        return token;
    }

    private Behavior<Command> onDurable(Durable d) {
        ExecutorState.Pending p = s.requests.remove(d.token());
        if (p == null || s.lease == null || !s.lease.leaseId().equals(p.leaseId()) || p.generation() != s.generation
                || !s.inflight.remove(p.seq())) {
            return this;
        }
        if (!d.ok()) {
            // Not durable: rewind to it; the worker re-sends from there and what follows is processed again
            // (verdicts already recorded come back as duplicates, chunks are rewritten in place).
            getContext().getLog().warn("result not stored in time, rewinding: slot={} lease={} seq={}", slot,
                    p.leaseId(), p.seq());
            s.verdictKeys.remove(p.key());
            s.unknownKeys.remove(p.key());
            s.rewindTo(p.seq());
        } else if ("not_claimed".equals(d.outcome())) {
            s.verdictKeys.remove(p.key());
            s.unknownKeys.remove(p.key());
        }
        sendAck();
        finishWhenDurable();
        return this;
    }

    /** Requests unanswered for DURABLE_TIMEOUT count as failed (the store restarted, a disk hung). */
    private void expireRequests(long now) {
        for (Map.Entry<Long, ExecutorState.Pending> e : List.copyOf(s.requests.entrySet())) {
            if (now - e.getValue().sentAt() > DURABLE_TIMEOUT.toMillis()) {
                getContext().getSelf().tell(new Durable(e.getKey(), false, ""));
            }
        }
    }

    private void sendAck() {
        if (s.lease != null) {
            agent.tell(new Ack(s.lease.leaseId(), s.ackedSeq()));
        }
    }

    /** BatchFinished ends the lease only once every verdict and artifact before it is durable. */
    private void finishWhenDurable() {
        if (s.pendingFinish == null || !s.inflight.isEmpty()) {
            return;
        }
        BatchFinished b = s.pendingFinish;
        s.pendingFinish = null;
        sendAck();
        for (BatchFinished.Iteration it : b.iterations()) {
            metrics.vmRun.labelValues(it.arch(), it.runner()).observe(it.seconds());
        }
        Map<String, String> unreached = new HashMap<>(s.unknownKeys);
        b.unreached().forEach(u -> unreached.put(u.resultKey(), u.reason()));
        String reason = BatchFinished.COMPLETED.equals(b.outcome()) ? "completed"
                : BatchFinished.ARCH_MISMATCH.equals(b.outcome()) ? "arch_mismatch" : b.reason();
        endLease(b.outcome(), reason, unreached, false, "", b.declaredArch());
    }

    private boolean isInLease(String key) {
        return s.lease.jobs().stream().anyMatch(j -> j.resultKey().equals(key));
    }

    private void endLease(String outcome, String reason, Map<String, String> unreached, boolean revoke, String downId) {
        endLease(outcome, reason, unreached, revoke, downId, "");
    }

    private void endLease(String outcome, String reason, Map<String, String> unreached, boolean revoke, String downId,
                          String declaredArch) {
        LeaseGrant ended = s.lease;
        Map<String, String> notDone = new HashMap<>(s.unknownKeys);
        notDone.putAll(unreached);
        Set<String> verdicts = Set.copyOf(s.verdictKeys);
        s.lease = null;
        s.forgetInflight();
        s.verdictKeys.clear();
        s.unknownKeys.clear();
        s.currentKey = "";
        if (revoke) {
            agent.tell(new RevokeLease(ended.leaseId(), ended.epoch(), reason));
        }
        getContext().getLog().info("lease over: slot={} lease={} outcome={} reason={} verdicts={}/{}", slot,
                ended.leaseId(), outcome, reason, verdicts.size(), ended.jobs().size());
        window.tell(new JobWindow.LeaseEnded(ended.leaseId(), outcome, reason, Map.copyOf(notDone), verdicts,
                declaredArch == null ? "" : declaredArch, downId));
        artifacts.tell(new ArtifactStore.DiscardPartial(ended.commit(), ended.leaseId(),
                ended.jobs().stream().map(Job::resultKey).toList()));
        if (!"HOST_DOWN".equals(outcome)) {
            claim();
        }
    }
}
