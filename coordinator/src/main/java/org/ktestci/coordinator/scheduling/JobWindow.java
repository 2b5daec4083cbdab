package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.protocol.ExecutorMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The bounded window of pending jobs, newest commits first, and the leases handed out from it. Refills run
 * off-thread (git walks, listings) and are collapsed: one at a time, triggers meanwhile make one follow-up.
 */
public final class JobWindow extends AbstractBehavior<JobWindow.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits TipsChanged, ArchesChanged, ClaimBatch, CancelClaims, LeaseEnded, RequestRefill, RefillCompleted,
            RefillFailed, GetQueue {}

    public record TipsChanged(String branch, String oldTip, String newTip, boolean forced) implements Command {}

    public record ArchesChanged(Set<String> arches) implements Command {}

    /** An idle slot asks for work; parked until a batch for its arch exists. */
    public record ClaimBatch(String host, int slot, String arch, ActorRef<ExecutorMessage> replyTo) implements Command {}

    /** A slot went away: forget its parked claim. */
    public record CancelClaims(String host, int slot) implements Command {}

    /**
     * A lease is over. {@code verdictKeys} got verdicts during it; {@code unreached} names the worker's reason for
     * keys it never ran; every other key of the lease ends with {@code reason}.
     */
    public record LeaseEnded(String leaseId, String outcome, String reason, Map<String, String> unreached,
                             Set<String> verdictKeys) implements Command {}

    public record RequestRefill(String trigger) implements Command {}

    private record RefillCompleted(DesiredJobs.Result result, String trigger, long millis) implements Command {}

    private record RefillFailed(Throwable error, String trigger) implements Command {}

    public record GetQueue(ActorRef<QueueSummary> replyTo) implements Command {}

    public record QueueSummary(int pending, int leased, Map<String, Integer> pendingByBranch) {}

    private final SchedulerSettings settings;
    private final RefillSource source;
    private final ActorRef<ResultsStore.Command> results;
    private final Executor blocking;
    private final TimerScheduler<Command> timers;

    private List<Job> pending = new ArrayList<>();
    private final Map<String, LeaseGrant> leases = new LinkedHashMap<>();
    private final Set<JobKey> leasedKeys = new HashSet<>();
    /**
     * Jobs that got a verdict (or Failed to run) in a lease that ended, with when. A refill reads the results
     * index off-thread and may run before the store has indexed those verdicts; this keeps such jobs out until
     * the index has certainly caught up.
     */
    private final Map<JobKey, Long> decided = new HashMap<>();
    private static final long DECIDED_MEMORY_MILLIS = 10 * 60 * 1000;
    private final Map<JobKey, Integer> failures = new HashMap<>();
    private final Deque<ClaimBatch> parked = new ArrayDeque<>();
    private Set<String> arches = Set.of();
    private long epoch;
    private boolean refilling;
    /** What the running refill was told to leave out; jobs re-queued since then must survive its result. */
    private Set<JobKey> refillExcluded = Set.of();
    private String followUp;
    private long lastLowWaterRefill;

    public static Behavior<Command> create(SchedulerSettings settings, RefillSource source,
                                           ActorRef<ResultsStore.Command> results) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new JobWindow(ctx, timers, settings, source, results)));
    }

    private JobWindow(ActorContext<Command> ctx, TimerScheduler<Command> timers, SchedulerSettings settings,
                      RefillSource source, ActorRef<ResultsStore.Command> results) {
        super(ctx);
        this.timers = timers;
        this.settings = settings;
        this.source = source;
        this.results = results;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        // Not persisted yet: start above any epoch a previous run can have issued (microseconds of wall time).
        this.epoch = System.currentTimeMillis() * 1000;
        timers.startTimerWithFixedDelay("periodic-refill", new RequestRefill("interval"), settings.refillInterval());
        ctx.getSelf().tell(new RequestRefill("startup"));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TipsChanged.class, t -> requestRefill("tips_changed:" + t.branch()))
                .onMessage(ArchesChanged.class, this::onArchesChanged)
                .onMessage(RequestRefill.class, r -> requestRefill(r.trigger()))
                .onMessage(RefillCompleted.class, this::onRefillCompleted)
                .onMessage(RefillFailed.class, this::onRefillFailed)
                .onMessage(ClaimBatch.class, this::onClaim)
                .onMessage(CancelClaims.class, this::onCancelClaims)
                .onMessage(LeaseEnded.class, this::onLeaseEnded)
                .onMessage(GetQueue.class, this::onGetQueue)
                .build();
    }

    private Behavior<Command> onArchesChanged(ArchesChanged a) {
        if (!a.arches().equals(arches)) {
            arches = Set.copyOf(a.arches());
            requestRefill("slots_changed");
        }
        return this;
    }

    private Behavior<Command> requestRefill(String trigger) {
        if (refilling) {
            followUp = trigger;
            return this;
        }
        refilling = true;
        long now = System.currentTimeMillis();
        decided.values().removeIf(at -> now - at > DECIDED_MEMORY_MILLIS);
        Set<JobKey> excluded = new HashSet<>(leasedKeys);
        excluded.addAll(decided.keySet());
        Set<String> archesNow = arches;
        refillExcluded = Set.copyOf(excluded);
        long start = System.nanoTime();
        CompletableFuture<DesiredJobs.Result> f = CompletableFuture.supplyAsync(() -> {
            try {
                return source.compute(excluded::contains, archesNow, settings.window());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking);
        getContext().pipeToSelf(f, (res, err) -> err == null
                ? new RefillCompleted(res, trigger, (System.nanoTime() - start) / 1_000_000)
                : new RefillFailed(err, trigger));
        return this;
    }

    private Behavior<Command> onRefillCompleted(RefillCompleted done) {
        refilling = false;
        Set<JobKey> before = new HashSet<>();
        pending.forEach(j -> before.add(j.key()));
        List<Job> next = new ArrayList<>();
        for (Job j : done.result().jobs()) {
            if (!leasedKeys.contains(j.key()) && !decided.containsKey(j.key())) {
                next.add(j);
            }
        }
        Set<JobKey> after = new HashSet<>();
        next.forEach(j -> after.add(j.key()));
        for (Job j : pending) {
            // Leased when the refill started, re-queued since: the refill could not see it, so keep it.
            if (refillExcluded.contains(j.key()) && !leasedKeys.contains(j.key())
                    && !decided.containsKey(j.key()) && after.add(j.key())) {
                next.add(j);
            }
        }
        next.sort(JobOrder.WINDOW);
        long added = after.stream().filter(k -> !before.contains(k)).count();
        long removed = before.stream().filter(k -> !after.contains(k)).count();
        pending = next;
        getContext().getLog().info("refill: {} desired, {} added, {} removed, {} pending, {} leased, {} ms (trigger {})",
                done.result().desiredBeforeTruncation(), added, removed, pending.size(), leasedKeys.size(),
                done.millis(), done.trigger());
        serveParked();
        runFollowUp();
        return this;
    }

    private Behavior<Command> onRefillFailed(RefillFailed f) {
        refilling = false;
        getContext().getLog().error("refill failed (trigger {}): {}", f.trigger(), f.error().toString());
        runFollowUp();
        return this;
    }

    private void runFollowUp() {
        if (followUp != null) {
            String t = followUp;
            followUp = null;
            requestRefill(t);
        }
    }

    private Behavior<Command> onClaim(ClaimBatch c) {
        parked.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        if (!tryGrant(c)) {
            parked.addLast(c);
        }
        return this;
    }

    private Behavior<Command> onCancelClaims(CancelClaims c) {
        parked.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        return this;
    }

    private void serveParked() {
        int n = parked.size();
        for (int i = 0; i < n && !pending.isEmpty(); i++) {
            ClaimBatch c = parked.pollFirst();
            if (!tryGrant(c)) {
                parked.addLast(c);
            }
        }
    }

    private boolean tryGrant(ClaimBatch c) {
        int seed = BatchPacker.seedIndex(pending, j -> j.allowedArches().contains(c.arch()));
        if (seed < 0) {
            return false;
        }
        List<Job> batch = BatchPacker.pack(pending, seed, j -> j.allowedArches().contains(c.arch()),
                settings.subtestDurationMax());
        Set<JobKey> taken = new HashSet<>();
        batch.forEach(j -> taken.add(j.key()));
        pending.removeIf(j -> taken.contains(j.key()));
        leasedKeys.addAll(taken);
        int attempt = batch.stream().mapToInt(j -> failures.getOrDefault(j.key(), 0) + 1).max().orElse(1);
        LeaseGrant grant = new LeaseGrant(UUID.randomUUID().toString(), ++epoch, c.host(), c.slot(), c.arch(),
                List.copyOf(batch), attempt, "", System.currentTimeMillis());
        leases.put(grant.leaseId(), grant);
        List<ResultsStore.ClaimedKey> keys = new ArrayList<>();
        for (Job j : batch) {
            keys.add(new ResultsStore.ClaimedKey(j.resultKey(), failures.getOrDefault(j.key(), 0) + 1));
        }
        results.tell(new ResultsStore.Claim(grant.commit(), keys, grant.leaseId(), c.host(), c.slot(), c.arch(),
                grant.grantedAtMillis() / 1000));
        getContext().getLog().info("lease granted: lease={} epoch={} slot={}:{} commit={} test={} subtests={}",
                grant.leaseId(), grant.epoch(), c.host(), c.slot(), grant.commit(), grant.first().key().test(),
                batch.size());
        c.replyTo().tell(new BatchOffer(grant));
        maybeLowWaterRefill();
        return true;
    }

    private void maybeLowWaterRefill() {
        long now = System.currentTimeMillis();
        if (pending.size() <= settings.refillAt() && now - lastLowWaterRefill >= 10_000) {
            lastLowWaterRefill = now;
            requestRefill("low_water");
        }
    }

    private Behavior<Command> onLeaseEnded(LeaseEnded e) {
        LeaseGrant grant = leases.remove(e.leaseId());
        if (grant == null) {
            return this;
        }
        List<String> release = new ArrayList<>();
        List<Job> requeue = new ArrayList<>();
        for (Job j : grant.jobs()) {
            leasedKeys.remove(j.key());
            if (e.verdictKeys().contains(j.resultKey())) {
                decided.put(j.key(), System.currentTimeMillis());
                failures.remove(j.key());
                continue;
            }
            String reason = e.unreached().getOrDefault(j.resultKey(), e.reason());
            if (FailureReasons.countsForJob(reason)) {
                int n = failures.merge(j.key(), 1, Integer::sum);
                if (n > settings.infraRetries()) {
                    results.tell(new ResultsStore.FailedToRun(j.key().commit(), j.resultKey(), grant.leaseId(), reason));
                    decided.put(j.key(), System.currentTimeMillis());
                    failures.remove(j.key());
                    continue;
                }
            }
            release.add(j.resultKey());
            requeue.add(j);
        }
        if (!release.isEmpty()) {
            results.tell(new ResultsStore.Release(grant.commit(), release, grant.leaseId(), e.reason()));
        }
        if (!requeue.isEmpty()) {
            List<Job> merged = new ArrayList<>(pending);
            merged.addAll(requeue);
            merged.sort(JobOrder.WINDOW);
            pending = merged;
        }
        getContext().getLog().info("lease ended: lease={} outcome={} reason={} verdicts={} requeued={}",
                e.leaseId(), e.outcome(), e.reason(), e.verdictKeys().size(), requeue.size());
        serveParked();
        return this;
    }

    private Behavior<Command> onGetQueue(GetQueue q) {
        Map<String, Integer> byBranch = new LinkedHashMap<>();
        pending.forEach(j -> byBranch.merge(j.branch(), 1, Integer::sum));
        q.replyTo().tell(new QueueSummary(pending.size(), leasedKeys.size(), Collections.unmodifiableMap(byBranch)));
        return this;
    }
}
