package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One per host slot: claims a batch, dispatches it to the slot's worker, accepts only messages of the current
 * lease (fencing by lease id + epoch, protocol.md §4.2), records verdicts and log artifacts, and ends the lease
 * when the worker finishes, refuses, goes silent past {@code lease_timeout} or its host goes down.
 *
 * <p>Reliable messages are processed strictly in sequence order; the cumulative {@code Ack} only covers a
 * message once what it carried is durable (its verdict persisted, its artifact chunk written), so a verdict the
 * worker stops re-sending can never be lost by a coordinator crash.
 */
public final class Executor extends AbstractBehavior<ExecutorMessage> {
    private record Tick() implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /**
     * The slot's host left ({@code member_down}) or said goodbye ({@code worker_shutdown}): end any lease and
     * stop. {@code downId} is shared by the executors of one host-down, so it counts once for quarantine.
     */
    public record HostDown(String reason, String downId) implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /** The slot's host became unreachable (take no new leases) or reachable again (README decision 10). */
    public record HostReachability(boolean reachable) implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /** Admin: end the lease {@code leaseId} if this slot runs it (reason {@code admin_revoke}); replies whether it did. */
    public record Revoke(String leaseId, ActorRef<Boolean> replyTo) implements ExecutorMessage,
            NoSerializationVerificationNeeded {}

    /** What the slot's current lease looks like, for {@code /api/v1/workers}. */
    public record GetSlot(ActorRef<SlotView> replyTo) implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /** {@code lease} is empty when idle; {@code currentKey} is the subtest the worker last reported. */
    public record SlotView(String host, int slot, Optional<LeaseGrant> lease, String currentKey, long startedAtMillis,
                           long lastHeartbeatMillis, boolean reachable) implements NoSerializationVerificationNeeded {}

    /** A lease this executor takes over after a coordinator restart, with the next sequence number it expects. */
    public record Resumed(LeaseGrant grant, long expectedSeq) {}

    /** A durable effect of the request {@code token} completed (or, {@code ok = false}, timed out). */
    private record Durable(long token, boolean ok, String outcome) implements ExecutorMessage,
            NoSerializationVerificationNeeded {}

    /** A request whose answer makes reliable message {@code seq} durable. */
    private record Pending(String leaseId, long seq, long generation, String key, long sentAt) {}

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

    private LeaseGrant lease;
    private boolean accepted;
    private long dispatchedAt;
    private long lastSentRunBatch;
    private long lastRenewed;
    private final Set<String> verdictKeys = new HashSet<>();
    private final Map<String, String> unknownKeys = new HashMap<>();
    private boolean hostUnreachable;
    private String currentKey = "";
    /** Next sequence number expected from the current lease's reliable messages (protocol.md §4.1). */
    private long expectedSeq = 1;
    /** Processed messages whose effect is not durable yet; the ack stays below the smallest. */
    private final TreeSet<Long> inflight = new TreeSet<>();
    private long generation;
    private BatchFinished pendingFinish;
    /** Requests in flight by token; answered through the adapters below (one ask per verdict was too slow). */
    private final Map<Long, Pending> requests = new HashMap<>();
    private long nextToken;
    private final ActorRef<ResultsStore.VerdictOutcome> verdictReplies;
    private final ActorRef<ArtifactStore.Written> chunkReplies;

    public static Behavior<ExecutorMessage> create(SlotId slot, String arch, ActorRef<AgentMessage> agent,
                                                   ActorRef<JobWindow.Command> window,
                                                   ActorRef<ResultsStore.Command> results,
                                                   ActorRef<ArtifactStore.Command> artifacts,
                                                   SchedulerSettings settings, CoordinatorMetrics metrics,
                                                   Optional<Resumed> resumed) {
        return create(slot, arch, agent, window, results, artifacts, () -> settings, metrics, resumed, LiveEvents.NONE);
    }

    public static Behavior<ExecutorMessage> create(SlotId slot, String arch, ActorRef<AgentMessage> agent,
                                                   ActorRef<JobWindow.Command> window,
                                                   ActorRef<ResultsStore.Command> results,
                                                   ActorRef<ArtifactStore.Command> artifacts,
                                                   Supplier<SchedulerSettings> settings,
                                                   CoordinatorMetrics metrics, Optional<Resumed> resumed,
                                                   LiveEvents live) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new Executor(ctx, timers, slot, arch, agent, window, results, artifacts, settings, metrics, resumed,
                        live)));
    }

    private Executor(ActorContext<ExecutorMessage> ctx, TimerScheduler<ExecutorMessage> timers, SlotId slot,
                     String arch, ActorRef<AgentMessage> agent, ActorRef<JobWindow.Command> window,
                     ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                     Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics, Optional<Resumed> resumed,
                     LiveEvents live) {
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
        this.verdictReplies = ctx.messageAdapter(ResultsStore.VerdictOutcome.class,
                o -> new Durable(o.token(), true, o.outcome()));
        this.chunkReplies = ctx.messageAdapter(ArtifactStore.Written.class, w -> new Durable(w.token(), w.ok(), "written"));
        timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofSeconds(1));
        if (resumed.isPresent()) {
            lease = resumed.get().grant();
            accepted = true;
            expectedSeq = resumed.get().expectedSeq();
            lastRenewed = System.currentTimeMillis();
            dispatchedAt = lease.grantedAtMillis();
            ctx.getLog().info("lease resumed: slot={} lease={} expected_seq={}", slot, lease.leaseId(), expectedSeq);
        } else {
            claim();
        }
    }

    @Override
    public Receive<ExecutorMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(BatchOffer.class, this::onOffer)
                .onMessage(Tick.class, t -> onTick())
                .onMessage(HostDown.class, this::onHostDown)
                .onMessage(HostReachability.class, this::onReachability)
                .onMessage(GetSlot.class, this::onGetSlot)
                .onMessage(Revoke.class, this::onRevoke)
                .onMessage(Durable.class, this::onDurable)
                .onMessage(LeaseMessage.class, this::onLeaseMessage)
                .build();
    }

    private Behavior<ExecutorMessage> onGetSlot(GetSlot q) {
        q.replyTo().tell(new SlotView(slot.host(), slot.index(), Optional.ofNullable(lease), currentKey, dispatchedAt,
                lastRenewed, !hostUnreachable));
        return this;
    }

    private Behavior<ExecutorMessage> onReachability(HostReachability r) {
        hostUnreachable = !r.reachable();
        if (hostUnreachable) {
            // Running leases go on until renewed or timed out; only new work stays away from this host.
            window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        } else if (lease == null) {
            claim();
        }
        return this;
    }

    private void claim() {
        if (!hostUnreachable) {
            window.tell(new JobWindow.ClaimBatch(slot.host(), slot.index(), arch, getContext().getSelf()));
        }
    }

    private Behavior<ExecutorMessage> onOffer(BatchOffer offer) {
        if (lease != null) {
            // Cannot happen with one claim outstanding; give the batch straight back rather than lose it.
            window.tell(new JobWindow.LeaseEnded(offer.grant().leaseId(), "REFUSED", "dispatch_timeout", Map.of(),
                    Set.of()));
            return this;
        }
        lease = offer.grant();
        accepted = false;
        expectedSeq = 1;
        inflight.clear();
        requests.clear();
        generation++;
        pendingFinish = null;
        verdictKeys.clear();
        unknownKeys.clear();
        currentKey = "";
        long now = System.currentTimeMillis();
        dispatchedAt = now;
        lastRenewed = now;
        sendRunBatch(now);
        return this;
    }

    private void sendRunBatch(long now) {
        lastSentRunBatch = now;
        Job first = lease.first();
        List<RunBatch.BatchSubtest> subtests = new ArrayList<>();
        for (Job j : lease.jobs()) {
            subtests.add(new RunBatch.BatchSubtest(j.key().subtest(), j.resultKey(), j.cost()));
        }
        List<RunBatch.Source> sources = first.sources().stream().map(s -> new RunBatch.Source(s.url(), s.ref())).toList();
        agent.tell(new RunBatch(lease.leaseId(), lease.epoch(), slot.index(), lease.attempt(), first.repo(),
                lease.commit(), sources, lease.fallbackUrl(), first.key().test(), first.key().kernel(),
                new HashMap<>(first.env()), arch, subtests, first.basename(), settings.get().subtestTimeout(),
                getContext().getSelf()));
    }

    private Behavior<ExecutorMessage> onTick() {
        if (lease == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        expireRequests(now);
        if (!accepted) {
            if (now - dispatchedAt >= DISPATCH_TIMEOUT.toMillis()) {
                metrics.leaseExpiries.labelValues("dispatch_timeout").inc();
                endLease("ABANDONED", "dispatch_timeout", Map.of(), true, "");
            } else if (now - lastSentRunBatch >= RESEND.toMillis()) {
                sendRunBatch(now);
            }
        } else if (now - lastRenewed >= settings.get().leaseTimeout().toMillis()) {
            metrics.leaseExpiries.labelValues("lease_timeout").inc();
            endLease("EXPIRED", "lease_timeout", Map.of(), true, "");
        }
        return this;
    }

    private Behavior<ExecutorMessage> onHostDown(HostDown down) {
        if (lease != null) {
            if ("member_down".equals(down.reason())) {
                metrics.leaseExpiries.labelValues("member_down").inc();
            }
            endLease("HOST_DOWN", down.reason(), Map.of(), false, down.downId());
        }
        window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        return Behaviors.stopped();
    }

    private Behavior<ExecutorMessage> onRevoke(Revoke r) {
        boolean mine = lease != null && lease.leaseId().equals(r.leaseId());
        if (mine) {
            getContext().getLog().warn("lease revoked by admin: lease={} slot={}", lease.leaseId(), slot);
            endLease("REVOKED", "admin_revoke", Map.of(), true, "");
        }
        r.replyTo().tell(mine);
        return this;
    }

    private Behavior<ExecutorMessage> onLeaseMessage(LeaseMessage m) {
        if (lease == null || !lease.leaseId().equals(m.leaseId()) || lease.epoch() != m.epoch()) {
            if (m instanceof LogChunk c && !c.reliable()) {
                // Live console lines are best effort and may trail the batch's end: not a stale worker.
                getContext().getLog().debug("late live log dropped: slot={} lease={}", slot, m.leaseId());
                return this;
            }
            return reject(m);
        }
        lastRenewed = System.currentTimeMillis();
        boolean reliable = m instanceof ReliableMessage && !(m instanceof LogChunk c && !c.reliable());
        if (reliable) {
            ReliableMessage r = (ReliableMessage) m;
            if (r.seq() != expectedSeq) {
                // Lower: a retransmitted duplicate, acknowledged again. Higher: a gap; the worker re-sends
                // everything unacknowledged, so drop it (go-back-N).
                sendAck();
                return this;
            }
            expectedSeq++;
        }
        if (m instanceof BatchAccepted) {
            if (!accepted) {
                metrics.dispatchLatency.observe((System.currentTimeMillis() - dispatchedAt) / 1000.0);
            }
            accepted = true;
        } else if (m instanceof BatchRefused r) {
            String reason = "draining".equals(r.reason()) ? "worker_shutdown" : "dispatch_timeout";
            endLease("REFUSED", reason, Map.of(), false, "");
            return this;
        } else if (m instanceof LeaseHeartbeat hb) {
            accepted = true;
            currentKey = hb.currentKey();
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), true, ackedSeq()));
            return this;
        } else if (m instanceof SubtestStarted s) {
            accepted = true;
            currentKey = s.resultKey();
            results.tell(new ResultsStore.Started(lease.commit(), s.resultKey(), lease.leaseId(), s.at() / 1000));
            live.started(lease.commit(), s.resultKey(), slot.host(), slot.index(), lease.leaseId(), s.at());
        } else if (m instanceof SubtestFinished f) {
            accepted = true;
            if (isInLease(f.resultKey()) && !verdictKeys.contains(f.resultKey())
                    && !unknownKeys.containsKey(f.resultKey())) {
                recordVerdict(f);
            }
        } else if (m instanceof LogChunk c) {
            if (c.reliable() && isInLease(c.resultKey())) {
                writeChunk(c);
            } else if (!c.reliable()) {
                live.leaseLog(lease.leaseId(), c.data());
            }
        } else if (m instanceof BatchFinished b) {
            pendingFinish = b;
            finishWhenDurable();
            return this;
        }
        if (reliable) {
            sendAck();
        }
        return this;
    }

    private Behavior<ExecutorMessage> reject(LeaseMessage m) {
        String type = m.getClass().getSimpleName();
        metrics.staleMessages.labelValues(type).inc();
        getContext().getLog().warn("stale message rejected: slot={} type={} lease={} epoch={}", slot, type,
                m.leaseId(), m.epoch());
        if (m instanceof LeaseHeartbeat hb) {
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
        } else {
            agent.tell(new Reject(m.leaseId(), m.epoch(), m instanceof ReliableMessage r ? r.seq() : 0,
                    "stale_lease"));
        }
        return this;
    }

    private void recordVerdict(SubtestFinished f) {
        Status status = StatusParser.parse(f.statusLine());
        if (status == Status.UNKNOWN) {
            unknownKeys.put(f.resultKey(), "unknown_status");
        } else {
            verdictKeys.add(f.resultKey());
        }
        long token = request(f.seq(), f.resultKey());
        results.tell(new ResultsStore.Verdict(lease.commit(), f.resultKey(), lease.leaseId(), lease.epoch(),
                f.statusLine(), f.durationSecs(), f.startedAt() / 1000, f.finishedAt() / 1000, f.fullLogKey(),
                f.run() == null ? "" : f.run(), token, verdictReplies));
    }

    private void writeChunk(LogChunk c) {
        long token = request(c.seq(), c.resultKey());
        artifacts.tell(new ArtifactStore.Write(lease.commit(), c, token, chunkReplies));
    }

    private long request(long seq, String key) {
        long token = ++nextToken;
        inflight.add(seq);
        requests.put(token, new Pending(lease.leaseId(), seq, generation, key, System.currentTimeMillis()));
        return token;
    }

    private Behavior<ExecutorMessage> onDurable(Durable d) {
        Pending p = requests.remove(d.token());
        if (p == null || lease == null || !lease.leaseId().equals(p.leaseId()) || p.generation() != generation
                || !inflight.remove(p.seq())) {
            return this;
        }
        if (!d.ok()) {
            // Not durable: rewind to it; the worker re-sends from there and what follows is processed again
            // (verdicts already recorded come back as duplicates, chunks are rewritten in place).
            getContext().getLog().warn("result not stored in time, rewinding: slot={} lease={} seq={}", slot,
                    p.leaseId(), p.seq());
            generation++;
            inflight.clear();
            requests.clear();
            expectedSeq = p.seq();
            verdictKeys.remove(p.key());
            unknownKeys.remove(p.key());
            pendingFinish = null;
        } else if ("not_claimed".equals(d.outcome())) {
            verdictKeys.remove(p.key());
            unknownKeys.remove(p.key());
        }
        sendAck();
        finishWhenDurable();
        return this;
    }

    /** Requests unanswered for DURABLE_TIMEOUT count as failed (the store restarted, a disk hung). */
    private void expireRequests(long now) {
        for (Map.Entry<Long, Pending> e : List.copyOf(requests.entrySet())) {
            if (now - e.getValue().sentAt() > DURABLE_TIMEOUT.toMillis()) {
                getContext().getSelf().tell(new Durable(e.getKey(), false, ""));
            }
        }
    }

    /** The cumulative acknowledgement: everything below the first non-durable processed message. */
    private long ackedSeq() {
        return inflight.isEmpty() ? expectedSeq - 1 : inflight.first() - 1;
    }

    private void sendAck() {
        if (lease != null) {
            agent.tell(new Ack(lease.leaseId(), ackedSeq()));
        }
    }

    /** BatchFinished ends the lease only once every verdict and artifact before it is durable. */
    private void finishWhenDurable() {
        if (pendingFinish == null || !inflight.isEmpty()) {
            return;
        }
        BatchFinished b = pendingFinish;
        pendingFinish = null;
        sendAck();
        for (BatchFinished.Iteration it : b.iterations()) {
            metrics.vmRun.labelValues(it.arch(), it.runner()).observe(it.seconds());
        }
        Map<String, String> unreached = new HashMap<>(unknownKeys);
        b.unreached().forEach(u -> unreached.put(u.resultKey(), u.reason()));
        String reason = BatchFinished.COMPLETED.equals(b.outcome()) ? "completed"
                : BatchFinished.ARCH_MISMATCH.equals(b.outcome()) ? "arch_mismatch" : b.reason();
        endLease(b.outcome(), reason, unreached, false, "", b.declaredArch());
    }

    private boolean isInLease(String key) {
        return lease.jobs().stream().anyMatch(j -> j.resultKey().equals(key));
    }

    private void endLease(String outcome, String reason, Map<String, String> unreached, boolean revoke, String downId) {
        endLease(outcome, reason, unreached, revoke, downId, "");
    }

    private void endLease(String outcome, String reason, Map<String, String> unreached, boolean revoke, String downId,
                          String declaredArch) {
        LeaseGrant ended = lease;
        lease = null;
        generation++;
        inflight.clear();
        requests.clear();
        if (revoke) {
            agent.tell(new RevokeLease(ended.leaseId(), ended.epoch(), reason));
        }
        Map<String, String> notDone = new HashMap<>(unknownKeys);
        notDone.putAll(unreached);
        getContext().getLog().info("lease over: slot={} lease={} outcome={} reason={} verdicts={}/{}", slot,
                ended.leaseId(), outcome, reason, verdictKeys.size(), ended.jobs().size());
        window.tell(new JobWindow.LeaseEnded(ended.leaseId(), outcome, reason, Map.copyOf(notDone),
                Set.copyOf(verdictKeys), declaredArch == null ? "" : declaredArch, downId));
        artifacts.tell(new ArtifactStore.DiscardPartial(ended.commit(), ended.leaseId(),
                ended.jobs().stream().map(Job::resultKey).toList()));
        verdictKeys.clear();
        unknownKeys.clear();
        currentKey = "";
        if (!"HOST_DOWN".equals(outcome)) {
            claim();
        }
    }
}
