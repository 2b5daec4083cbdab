package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One per host slot: claims a batch, dispatches it to the slot's worker, accepts only messages of the current
 * lease (fencing by lease id + epoch), forwards verdicts and log artifacts, and ends the lease when the worker
 * finishes, refuses, goes silent past {@code lease_timeout} or its host goes down.
 */
public final class Executor extends AbstractBehavior<ExecutorMessage> {
    private record Tick() implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /** The slot's host left ({@code member_down}) or said goodbye ({@code worker_shutdown}): end any lease and stop. */
    public record HostDown(String reason) implements ExecutorMessage, NoSerializationVerificationNeeded {}

    /** The slot's host became unreachable (take no new leases) or reachable again (README decision 10). */
    public record HostReachability(boolean reachable) implements ExecutorMessage, NoSerializationVerificationNeeded {}

    private static final Duration RESEND = Duration.ofSeconds(10);
    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(30);

    private final SlotId slot;
    private final String arch;
    private final ActorRef<AgentMessage> agent;
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final ActorRef<ArtifactStore.Command> artifacts;
    private final SchedulerSettings settings;

    private LeaseGrant lease;
    private boolean accepted;
    private long dispatchedAt;
    private long lastSentRunBatch;
    private long lastRenewed;
    private final Set<String> verdictKeys = new HashSet<>();
    private long staleMessages;
    private boolean hostUnreachable;
    /** Next sequence number expected from the current lease's reliable messages (protocol.md §4.1). */
    private long expectedSeq = 1;

    public static Behavior<ExecutorMessage> create(SlotId slot, String arch, ActorRef<AgentMessage> agent,
                                                   ActorRef<JobWindow.Command> window,
                                                   ActorRef<ResultsStore.Command> results,
                                                   ActorRef<ArtifactStore.Command> artifacts,
                                                   SchedulerSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new Executor(ctx, timers, slot, arch, agent, window, results, artifacts, settings)));
    }

    private Executor(ActorContext<ExecutorMessage> ctx, TimerScheduler<ExecutorMessage> timers, SlotId slot,
                     String arch, ActorRef<AgentMessage> agent, ActorRef<JobWindow.Command> window,
                     ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                     SchedulerSettings settings) {
        super(ctx);
        this.slot = slot;
        this.arch = arch;
        this.agent = agent;
        this.window = window;
        this.results = results;
        this.artifacts = artifacts;
        this.settings = settings;
        timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofSeconds(1));
        claim();
    }

    @Override
    public Receive<ExecutorMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(BatchOffer.class, this::onOffer)
                .onMessage(Tick.class, t -> onTick())
                .onMessage(HostDown.class, this::onHostDown)
                .onMessage(HostReachability.class, this::onReachability)
                .onMessage(LeaseMessage.class, this::onLeaseMessage)
                .build();
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
        if (hostUnreachable) {
            return;
        }
        window.tell(new JobWindow.ClaimBatch(slot.host(), slot.index(), arch, getContext().getSelf()));
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
        verdictKeys.clear();
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
                new HashMap<>(first.env()), arch, subtests, first.basename(), settings.subtestTimeout(),
                getContext().getSelf()));
    }

    private Behavior<ExecutorMessage> onTick() {
        if (lease == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        if (!accepted) {
            if (now - dispatchedAt >= DISPATCH_TIMEOUT.toMillis()) {
                endLease("ABANDONED", "dispatch_timeout", Map.of(), true);
            } else if (now - lastSentRunBatch >= RESEND.toMillis()) {
                sendRunBatch(now);
            }
        } else if (now - lastRenewed >= settings.leaseTimeout().toMillis()) {
            endLease("EXPIRED", "lease_timeout", Map.of(), true);
        }
        return this;
    }

    private Behavior<ExecutorMessage> onHostDown(HostDown down) {
        if (lease != null) {
            endLease("HOST_DOWN", down.reason(), Map.of(), false);
        }
        window.tell(new JobWindow.CancelClaims(slot.host(), slot.index()));
        return Behaviors.stopped();
    }

    private Behavior<ExecutorMessage> onLeaseMessage(LeaseMessage m) {
        if (lease == null || !lease.leaseId().equals(m.leaseId()) || lease.epoch() != m.epoch()) {
            staleMessages++;
            getContext().getLog().warn("stale message rejected: slot={} type={} lease={} epoch={} (total {})", slot,
                    m.getClass().getSimpleName(), m.leaseId(), m.epoch(), staleMessages);
            if (m instanceof LeaseHeartbeat hb) {
                hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
            } else {
                agent.tell(new Reject(m.leaseId(), m.epoch(), m instanceof ReliableMessage r ? r.seq() : 0,
                        "stale_lease"));
            }
            return this;
        }
        lastRenewed = System.currentTimeMillis();
        if (m instanceof ReliableMessage r && !(m instanceof LogChunk c && !c.reliable())) {
            if (r.seq() != expectedSeq) {
                // Lower: a retransmitted duplicate, acknowledged again. Higher: a gap; the worker re-sends
                // everything unacknowledged, so drop it (go-back-N).
                agent.tell(new Ack(lease.leaseId(), expectedSeq - 1));
                return this;
            }
            expectedSeq++;
            agent.tell(new Ack(lease.leaseId(), r.seq()));
        }
        if (m instanceof BatchAccepted) {
            accepted = true;
        } else if (m instanceof BatchRefused r) {
            String reason = "draining".equals(r.reason()) ? "worker_shutdown" : "dispatch_timeout";
            endLease("REFUSED", reason, Map.of(), false);
        } else if (m instanceof LeaseHeartbeat hb) {
            accepted = true;
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), true, expectedSeq - 1));
        } else if (m instanceof SubtestStarted s) {
            accepted = true;
            results.tell(new ResultsStore.Started(lease.commit(), s.resultKey(), lease.leaseId(), s.at() / 1000));
        } else if (m instanceof SubtestFinished f) {
            accepted = true;
            if (isInLease(f.resultKey()) && verdictKeys.add(f.resultKey())) {
                results.tell(new ResultsStore.Verdict(lease.commit(), f.resultKey(), lease.leaseId(), f.statusLine(),
                        f.durationSecs(), f.startedAt() / 1000, f.fullLogKey(), f.run() == null ? "" : f.run()));
            }
        } else if (m instanceof LogChunk c) {
            if (isInLease(c.resultKey())) {
                artifacts.tell(new ArtifactStore.Write(lease.commit(), c));
            }
        } else if (m instanceof BatchFinished b) {
            Map<String, String> unreached = new HashMap<>();
            b.unreached().forEach(u -> unreached.put(u.resultKey(), u.reason()));
            String reason = BatchFinished.COMPLETED.equals(b.outcome()) ? "completed" : b.reason();
            endLease(b.outcome(), reason, unreached, false);
        }
        return this;
    }

    private boolean isInLease(String key) {
        return lease.jobs().stream().anyMatch(j -> j.resultKey().equals(key));
    }

    private void endLease(String outcome, String reason, Map<String, String> unreached, boolean revoke) {
        LeaseGrant ended = lease;
        lease = null;
        if (revoke) {
            agent.tell(new RevokeLease(ended.leaseId(), ended.epoch(), reason));
        }
        getContext().getLog().info("lease over: slot={} lease={} outcome={} reason={} verdicts={}/{}", slot,
                ended.leaseId(), outcome, reason, verdictKeys.size(), ended.jobs().size());
        window.tell(new JobWindow.LeaseEnded(ended.leaseId(), outcome, reason, Map.copyOf(unreached),
                Set.copyOf(verdictKeys)));
        verdictKeys.clear();
        if (!"HOST_DOWN".equals(outcome)) {
            claim();
        }
    }
}
