package org.ktestci.coordinator.queries;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.ktestci.coordinator.CoordinatorHandles;
import org.ktestci.coordinator.LiveConfig;
import org.ktestci.coordinator.execution.Executor;
import org.ktestci.coordinator.execution.WorkerGateway;
import org.ktestci.coordinator.live.RecentVerdicts;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.dashboard.CiUnavailable;
import org.ktestci.dashboard.EventHub;
import org.ktestci.dashboard.HttpError;
import org.ktestci.dashboard.QueueStatus;
import org.ktestci.dashboard.WorkerStatus;
import org.ktestci.protocol.WorkerHello;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The dashboard's live data on a coordinator node, asked from the running singleton's actors (5 s timeout, then
 * 503, http.md §9) and turned into the dashboard's records. Called on the dashboard's blocking threads.
 */
public final class LiveQueries {
    static final Duration ASK = Duration.ofSeconds(5);

    private final ActorSystem<?> system;
    private final CoordinatorHandles handles;
    private final EventHub events;
    private final SubtestListingCache listings;
    private final RecentVerdicts recent;
    private final LiveConfig config;

    /** {@code events}: this node's hub, which its live-event relay feeds from the cluster topic. */
    public LiveQueries(ActorSystem<?> system, CoordinatorHandles handles, EventHub events,
                       SubtestListingCache listings, RecentVerdicts recent, LiveConfig config) {
        this.system = system;
        this.handles = handles;
        this.events = events;
        this.listings = listings;
        this.recent = recent;
        this.config = config;
    }

    CoordinatorHandles.Refs refs() {
        return handles.get().orElseThrow(() -> new CiUnavailable("the coordinator is not running on this node"));
    }

    <T> T await(CompletionStage<T> stage, String what) {
        return await(stage, what, ASK);
    }

    <T> T await(CompletionStage<T> stage, String what, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CiUnavailable("interrupted while asking for " + what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusReply.ErrorMessage error) {
                throw new CiUnavailable(what + ": " + error.getMessage(), e);
            }
            throw new CiUnavailable("no answer about " + what + " in " + timeout.toSeconds() + " s", e);
        } catch (TimeoutException e) {
            throw new CiUnavailable("no answer about " + what + " in " + timeout.toSeconds() + " s", e);
        }
    }

    <Q, T> T ask(ActorRef<Q> to,
                 Function<ActorRef<T>, Q> message, String what) {
        return await(AskPattern.ask(to, message::apply, ASK, system.scheduler()), what);
    }

    /** Asks for a {@code StatusReply}: an error reply is unavailable like a silent actor, with its reason. */
    <Q, T> T askWithStatus(ActorRef<Q> to, Function<ActorRef<StatusReply<T>>, Q> message, String what) {
        return await(AskPattern.askWithStatus(to, message::apply, ASK, system.scheduler()), what);
    }

    Scheduler scheduler() {
        return system.scheduler();
    }

    EventHub events() {
        return events;
    }

    /** The singleton runs here and its window answers (it only does once recovered from the journal). */
    boolean ready() {
        Optional<CoordinatorHandles.Refs> r = handles.get();
        if (r.isEmpty()) {
            return false;
        }
        try {
            ask(r.get().window(), JobWindow.GetQueue::new, "the queue");
            return true;
        } catch (CiUnavailable e) {
            return false;
        }
    }

    List<WorkerStatus> workers() {
        WorkerGateway.WorkersView view = askWithStatus(refs().gateway(),
                replyTo -> new WorkerGateway.GetWorkers(replyTo), "the workers");
        long now = System.currentTimeMillis();
        List<WorkerStatus> out = new ArrayList<>();
        for (WorkerGateway.HostView h : view.hosts()) {
            out.add(host(h, now));
        }
        out.sort(Comparator.comparing(WorkerStatus::host));
        return out;
    }

    WorkerStatus host(String name) {
        return workers().stream().filter(h -> h.host().equals(name)).findFirst()
                .orElseThrow(() -> HttpError.notFound("Host " + name + " not found"));
    }

    static WorkerStatus host(WorkerGateway.HostView h, long now) {
        Optional<WorkerHello> hello = h.hello();
        List<WorkerStatus.Slot> slots = new ArrayList<>();
        if (h.slotList().isEmpty()) {
            for (int i = 0; i < h.slots(); i++) {
                slots.add(new WorkerStatus.Slot(i, h.host() + ":" + i, "down", Optional.empty()));
            }
        }
        for (Executor.SlotView s : h.slotList()) {
            Optional<WorkerStatus.Lease> lease = s.lease().map(g -> lease(g, s, now));
            String state = lease.isPresent() ? "busy" : h.state().equals("quarantined") ? "quarantined"
                    : h.state().equals("up") && s.reachable() ? "idle" : "down";
            slots.add(new WorkerStatus.Slot(s.slot(), h.host() + ":" + s.slot(), state, lease));
        }
        return new WorkerStatus(h.host(), h.arch(), h.slots(), h.slotsSource(), h.state(),
                h.health().until() > now ? Optional.of(Instant.ofEpochMilli(h.health().until())) : Optional.empty(),
                h.health().consecutive(), hello.map(WorkerHello::protocolVersion),
                hello.map(WorkerHello::agentVersion), hello.map(WorkerHello::ktestRevision),
                hello.map(WorkerHello::kvm), hello.map(WorkerHello::kvmReason), hello.map(WorkerHello::memoryMib), hello.map(WorkerHello::runner),
                slots);
    }

    private static WorkerStatus.Lease lease(LeaseGrant g, Executor.SlotView s, long now) {
        Job first = g.first();
        String current = g.jobs().stream().filter(j -> j.resultKey().equals(s.currentKey())).findFirst()
                .map(j -> j.key().subtest()).orElse("");
        long started = s.startedAtMillis() > 0 ? s.startedAtMillis() : g.grantedAtMillis();
        return new WorkerStatus.Lease(g.leaseId(), g.epoch(), first.branch(), g.commit(), first.key().test(),
                first.key().kernel(), first.key().env(), g.arch(),
                g.jobs().stream().map(j -> j.key().subtest()).toList(),
                g.jobs().stream().map(Job::resultKey).toList(), current, Instant.ofEpochMilli(started),
                Math.max(0, (now - started) / 1000), g.attempt(),
                s.lastHeartbeatMillis() > 0 ? Optional.of(Math.max(0, (now - s.lastHeartbeatMillis()) / 1000))
                        : Optional.empty());
    }

    QueueStatus queue() {
        JobWindow.QueueSummary q = ask(refs().window(), JobWindow.GetQueue::new, "the queue");
        long now = System.currentTimeMillis();
        long[] lastHour = recent.lastHour(now);
        Optional<QueueStatus.Refill> refill = Optional.ofNullable(q.lastRefill()).map(r -> new QueueStatus.Refill(
                Instant.ofEpochMilli(r.at()), r.trigger(), r.desired(), r.added(), r.removed(), r.durationMs()));
        List<QueueStatus.ListingError> listing = listings.errors().stream()
                .sorted(Comparator.comparing(SubtestListingCache.ListingError::test))
                .map(e -> new QueueStatus.ListingError(e.test(), e.error(), e.at())).toList();
        return new QueueStatus(q.window(), q.refillAt(), q.pending(), q.leased(), refill, q.pendingByBranch(),
                q.leasedByBranch(), q.fairShare(), q.unschedulable(), lastHour[0], lastHour[1], listing,
                config.errors(), q.quarantinedHosts());
    }
}
