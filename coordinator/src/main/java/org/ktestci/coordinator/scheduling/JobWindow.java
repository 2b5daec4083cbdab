package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.CommitEvent;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.WindowEvent.ConstraintLearned;
import org.ktestci.coordinator.scheduling.WindowEvent.FailuresReset;
import org.ktestci.coordinator.scheduling.WindowEvent.HostQuarantined;
import org.ktestci.coordinator.scheduling.WindowEvent.HostReleased;
import org.ktestci.coordinator.scheduling.WindowEvent.LeaseGranted;
import org.ktestci.coordinator.scheduling.WindowEvent.WindowReconciled;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.schema.status.Status;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import java.util.function.Supplier;

/**
 * The bounded window of pending jobs and the leases handed out from it (scheduling.md §3–§9), event-sourced
 * (persistence id {@code job-window}, snapshot every 500 events) so pending jobs, leases, the epoch counter,
 * job failures and host quarantines survive restarts and failovers. Refills run off-thread (git walks, listings)
 * one at a time; triggers meanwhile collapse into one follow-up. Claims with no eligible job are parked and
 * served oldest-first after every change.
 */
public final class JobWindow extends EventSourcedBehavior<JobWindow.Command, WindowEvent, WindowState> {
    public static final String PERSISTENCE_ID = "job-window";

    public sealed interface Command extends NoSerializationVerificationNeeded
            permits TipsChanged, HostsChanged, ClaimBatch, CancelClaims, LeaseEnded, RequestRefill, ResumeLeases,
            QuarantineHost, ReleaseHost, ResetFailures, GetQueue, GetLeases, GetJobCommits, RefillCompleted,
            RefillFailed, ExpireUnresumed, QuarantineOver, Flush, ResetResults, QueueEventDue {}

    /**
     * Group commit (sent to itself): the lease ends and claims collected since the last write become one journal
     * write; a busy farm ends and grants many leases a second.
     */
    private record Flush() implements Command {}

    /** The commits of pending and leased jobs: part of the retention live set (storage.md §9). */
    public record GetJobCommits(ActorRef<JobCommits> replyTo) implements Command {}

    public record JobCommits(Set<String> commits) implements NoSerializationVerificationNeeded {}

    /** {@code forced}: the old tip is not an ancestor of the new one (a force-push or rebase). */
    public record TipsChanged(String branch, String oldTip, String newTip, boolean forced) implements Command {}

    /** The hosts that are up and reachable, with their arch (from the gateway). */
    public record HostsChanged(Map<String, String> upHosts) implements Command {}

    /** An idle slot asks for work; parked until an eligible batch exists. */
    public record ClaimBatch(String host, int slot, String arch, ActorRef<BatchOffer> replyTo) implements Command {}

    /** A slot went away or became unreachable: forget its parked claim. */
    public record CancelClaims(String host, int slot) implements Command {}

    /**
     * A lease is over. {@code verdictKeys} got verdicts during it; {@code unreached} names the worker's reason for
     * keys it did not finish; every other key of the lease ends with {@code reason}. {@code downId} groups the
     * leases one {@code member_down} of a host ended, so they count once toward its quarantine.
     */
    public record LeaseEnded(String leaseId, String outcome, String reason, Map<String, String> unreached,
                             Set<String> verdictKeys, String declaredArch, String downId) implements Command {
        public LeaseEnded(String leaseId, String outcome, String reason, Map<String, String> unreached,
                          Set<String> verdictKeys) {
            this(leaseId, outcome, reason, unreached, verdictKeys, "", "");
        }
    }

    public record RequestRefill(String trigger) implements Command {}

    /** A worker's hello listed its running leases: which of them the recovered window still holds. */
    public record ResumeLeases(String host, List<ActiveLease> active, ActorRef<ResumeDecision> replyTo)
            implements Command {}

    public record ActiveLease(int slot, String leaseId, long epoch) {}

    public record ResumeDecision(List<LeaseGrant> resume, List<String> abandon) implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

    /** Admin: quarantine {@code host} for {@code seconds}. */
    public record QuarantineHost(String host, long seconds, ActorRef<HostHealth> replyTo) implements Command {}

    /** Admin ({@code by = admin}) or the quarantine timer: release {@code host}. */
    public record ReleaseHost(String host, String by, ActorRef<HostHealth> replyTo) implements Command {}

    /**
     * Admin re-run or clear, by result key per commit (what the admin names): forget those jobs' failures and
     * that they were decided, then refill so they are wanted again at once (scheduling.md §10).
     */
    public record ResetResults(Map<String, Set<String>> keysByCommit, String trigger) implements Command {}

    /** The throttled {@code queue} event is due (http.md §7: at most every 5 s). */
    private record QueueEventDue() implements Command {}

    private static final long QUEUE_EVENT_MILLIS = 5000;

    /** Admin re-run or clear: forget these jobs' failures, then refill. */
    public record ResetFailures(List<JobKey> keys, String trigger) implements Command {}

    public record GetQueue(ActorRef<QueueSummary> replyTo) implements Command {}

    public record GetLeases(ActorRef<LeaseSummary> replyTo) implements Command {}

    public record LeaseSummary(List<LeaseGrant> leases, Map<String, HostHealth> hosts) implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

    public record LastRefill(long at, String trigger, int desired, int added, Map<String, Integer> removed,
                             long durationMs) {}

    public record QueueSummary(int window, int refillAt, int pending, int leased, Map<String, Integer> pendingByBranch,
                               Map<String, Integer> leasedByBranch, Map<String, Double> fairShare, Map<String, Integer> unschedulable,
                               LastRefill lastRefill, List<String> quarantinedHosts, boolean refilling,
                               int parkedClaims)
            implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

    private record RefillCompleted(DesiredJobs.Result result, String trigger, long millis, long forcedSeqAtStart)
            implements Command {}

    private record RefillFailed(Throwable error, String trigger, long forcedSeqAtStart) implements Command {}

    /** After recovery: leases no worker resumed within lease_timeout end with coordinator_failover. */
    private record ExpireUnresumed() implements Command {}

    private record QuarantineOver(String host) implements Command {}

    private static final long DECIDED_MEMORY_MILLIS = 10 * 60 * 1000;

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    /** Read at each use: a config reload changes it while the window runs. */
    private final Supplier<SchedulerSettings> settingsRef;
    private final LiveEvents live;
    private final CommitClock clock;
    private final RefillSource source;
    private final ActorRef<ResultsStore.Command> results;
    private final ResultsIndex index;
    private final CoordinatorMetrics metrics;
    private final Executor blocking;

    // Transient (not persisted): claims, refill bookkeeping, live hosts, fair share, recovery bookkeeping.
    private final Deque<ClaimBatch> parked = new ArrayDeque<>();
    /** Lease ends and claims waiting for the next {@link Flush}. */
    private final List<LeaseEnded> endings = new ArrayList<>();
    private final List<ClaimBatch> claims = new ArrayList<>();
    private boolean flushQueued;
    private final Map<JobKey, Long> decided = new HashMap<>();
    private final FairShare fairShare;
    private final Set<String> unresumed = new HashSet<>();
    private final Map<String, Long> queuedAt = new HashMap<>();
    private final Set<String> countedDowns = new HashSet<>();
    private Map<String, String> upHosts = Map.of();
    private boolean refilling;
    private String followUp;
    private Set<JobKey> refillExcluded = Set.of();
    /** The arch constraints the running refill was computed with. */
    private Map<String, ArchConstraint> refillConstraints = Map.of();
    private long forcedSeq;
    private long forcedSeqServed;
    private long lastLowWaterRefill;
    private boolean lowWaterArmed = true;
    private Map<String, Integer> unschedulable = Map.of();
    private LastRefill lastRefill;

    public static Behavior<Command> create(SchedulerSettings settings, RefillSource source,
                                           ActorRef<ResultsStore.Command> results, ResultsIndex index,
                                           CoordinatorMetrics metrics) {
        return create(PERSISTENCE_ID, settings, source, results, index, metrics);
    }

    /** With another persistence id: tests and benchmarks that run several windows on one journal. */
    public static Behavior<Command> create(String persistenceId, SchedulerSettings settings, RefillSource source,
                                           ActorRef<ResultsStore.Command> results, ResultsIndex index,
                                           CoordinatorMetrics metrics) {
        return create(persistenceId, () -> settings, source, results, index, metrics, LiveEvents.NONE,
                new CommitClock());
    }

    public static Behavior<Command> create(String persistenceId, Supplier<SchedulerSettings> settings,
                                           RefillSource source, ActorRef<ResultsStore.Command> results,
                                           ResultsIndex index, CoordinatorMetrics metrics, LiveEvents events,
                                           CommitClock clock) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new JobWindow(persistenceId, ctx, timers, settings, source, results, index, metrics, events, clock)));
    }

    private JobWindow(String persistenceId, ActorContext<Command> ctx, TimerScheduler<Command> timers,
                      Supplier<SchedulerSettings> settings, RefillSource source, ActorRef<ResultsStore.Command> results,
                      ResultsIndex index, CoordinatorMetrics metrics, LiveEvents events, CommitClock clock) {
        super(PersistenceId.ofUniqueId(persistenceId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.ctx = ctx;
        this.timers = timers;
        this.settingsRef = settings;
        this.source = source;
        this.results = results;
        this.index = index;
        this.metrics = metrics;
        this.live = events;
        this.clock = clock;
        this.fairShare = new FairShare(settings().fairShareHalfLife().toMillis());
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        metrics.windowCapacity.set(settings().window());
    }

    private SchedulerSettings settings() {
        return settingsRef.get();
    }

    @Override
    public WindowState emptyState() {
        return new WindowState(settings().quarantineAfter());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(500, 2);
    }

    @Override
    public SnapshotAdapter<WindowState> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(WindowState state) {
                return state.snapshot();
            }

            @Override
            public WindowState fromJournal(Object from) {
                return WindowState.of((WindowSnapshot) from, settings().quarantineAfter());
            }
        };
    }

    @Override
    public EventHandler<WindowState, WindowEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
            state.apply(event);
            return state;
        });
    }

    @Override
    public SignalHandler<WindowState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::onRecovered).build();
    }

    private void onRecovered(WindowState state) {
        long now = System.currentTimeMillis();
        state.pending.keys().forEach(k -> queuedAt.put(queueKey(k), now));
        unresumed.addAll(state.leases.keySet());
        if (!unresumed.isEmpty()) {
            ctx.getLog().info("window recovered: {} pending, {} leases awaiting their workers, epoch {}",
                    state.pending.size(), unresumed.size(), state.epoch);
            timers.startSingleTimer("expire-unresumed", new ExpireUnresumed(), settings().leaseTimeout());
        }
        state.hosts.forEach((host, h) -> {
            if (h.quarantinedAt(now)) {
                timers.startSingleTimer("quarantine-" + host, new QuarantineOver(host), Duration.ofMillis(h.until() - now));
            }
        });
        timers.startTimerWithFixedDelay("periodic-refill", new RequestRefill("interval"), settings().refillInterval());
        updateGauges(state);
        ctx.getSelf().tell(new RequestRefill("startup"));
    }

    @Override
    public CommandHandler<Command, WindowEvent, WindowState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(TipsChanged.class, this::onTipsChanged)
                .onCommand(HostsChanged.class, this::onHostsChanged)
                .onCommand(RequestRefill.class, (s, r) -> requestRefill(s, r.trigger()))
                .onCommand(RefillCompleted.class, this::onRefillCompleted)
                .onCommand(RefillFailed.class, this::onRefillFailed)
                .onCommand(ClaimBatch.class, this::onClaim)
                .onCommand(Flush.class, this::onFlush)
                .onCommand(CancelClaims.class, this::onCancelClaims)
                .onCommand(LeaseEnded.class, this::onLeaseEnded)
                .onCommand(ResumeLeases.class, this::onResumeLeases)
                .onCommand(ExpireUnresumed.class, this::onExpireUnresumed)
                .onCommand(QuarantineHost.class, this::onQuarantineHost)
                .onCommand(ReleaseHost.class, this::onReleaseHost)
                .onCommand(QuarantineOver.class, (s, q) -> onReleaseHost(s, new ReleaseHost(q.host(), "timer", null)))
                .onCommand(ResetFailures.class, this::onResetFailures)
                .onCommand(ResetResults.class, this::onResetResults)
                .onCommand(QueueEventDue.class, (st, d) -> {
                    queueEventTimer = false;
                    publishQueue(st);
                    return Effect().none();
                })
                .onCommand(GetQueue.class, this::onGetQueue)
                .onCommand(GetJobCommits.class, (s, q) -> {
                    Set<String> commits = new HashSet<>();
                    s.pending.keys().forEach(k -> commits.add(k.commit()));
                    s.leasedKeys.forEach(k -> commits.add(k.commit()));
                    q.replyTo().tell(new JobCommits(Set.copyOf(commits)));
                    return Effect().none();
                })
                .onCommand(GetLeases.class, (s, q) -> {
                    q.replyTo().tell(new LeaseSummary(List.copyOf(s.leases.values()), Map.copyOf(s.hosts)));
                    return Effect().none();
                })
                .build();
    }

    // ---- refills -------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onTipsChanged(WindowState state, TipsChanged t) {
        if (t.forced()) {
            // scheduling.md §4.2: no job of a commit that left the branch may be leased once the new tip is known.
            forcedSeq++;
            ctx.getLog().info("force-push on {}: claims wait for the refill", t.branch());
        }
        return requestRefill(state, "tips_changed");
    }

    private Effect<WindowEvent, WindowState> onHostsChanged(WindowState state, HostsChanged h) {
        Set<String> before = new HashSet<>(upHosts.values());
        upHosts = Map.copyOf(h.upHosts());
        if (!before.equals(new HashSet<>(upHosts.values()))) {
            return requestRefill(state, "slots_changed");
        }
        serveParked();
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> requestRefill(WindowState state, String trigger) {
        metrics.refills.labelValues(trigger).inc();
        fairShare.halfLife(settings().fairShareHalfLife().toMillis());
        metrics.windowCapacity.set(settings().window());
        if (refilling) {
            followUp = trigger;
            return Effect().none();
        }
        refilling = true;
        long now = System.currentTimeMillis();
        decided.values().removeIf(at -> now - at > DECIDED_MEMORY_MILLIS);
        Set<JobKey> excluded = new HashSet<>(state.leasedKeys);
        excluded.addAll(decided.keySet());
        refillExcluded = Set.copyOf(excluded);
        Set<String> arches = Set.copyOf(upHosts.values());
        Map<String, ArchConstraint> constraints = Map.copyOf(state.constraints);
        refillConstraints = constraints;
        Set<String> pendingCommits = new HashSet<>();
        state.pending.keys().forEach(k -> pendingCommits.add(k.commit()));
        long seq = forcedSeq;
        long start = System.nanoTime();
        CompletableFuture<DesiredJobs.Result> f = CompletableFuture.supplyAsync(() -> {
            try {
                return source.compute(refillExcluded::contains, arches, settings().window(), constraints,
                        pendingCommits);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, blocking);
        ctx.pipeToSelf(f, (res, err) -> err == null
                ? new RefillCompleted(res, trigger, (System.nanoTime() - start) / 1_000_000, seq)
                : new RefillFailed(err, trigger, seq));
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onRefillCompleted(WindowState state, RefillCompleted done) {
        refilling = false;
        long now = System.currentTimeMillis();
        metrics.refillDuration.observe(done.millis() / 1000.0);
        unschedulable = done.result().unschedulable();
        WindowReconciled r = Reconciler.reconcile(state, constrainedSinceStart(done.result(), state),
                settings().window(), refillExcluded,
                decided.keySet(), index::hasVerdict, done.trigger(), now);
        Map<String, Integer> removedBy = new LinkedHashMap<>();
        r.removed().forEach(rm -> removedBy.merge(rm.reason(), 1, Integer::sum));
        lastRefill = new LastRefill(now, done.trigger(), done.result().desiredBeforeTruncation(), r.added().size(),
                removedBy, done.millis());
        Runnable after = () -> {
            ctx.getLog().info("refill: {} desired, {} added, {} removed ({} left branches), {} pending, {} leased, "
                            + "{} ms (trigger {})", done.result().desiredBeforeTruncation(), r.added().size(),
                    r.removed().size(), removedBy.getOrDefault(Reconciler.LEFT_BRANCHES, 0), state.pending.size(),
                    state.leasedKeys.size(), done.millis(), done.trigger());
            r.added().forEach(j -> queuedAt.put(queueKey(j.key()), now));
            r.removed().forEach(rm -> queuedAt.remove(queueKey(rm.key())));
            metrics.jobsQueued.inc(r.added().size());
            removedBy.forEach((reason, n) -> metrics.jobsCancelled.labelValues(reason).inc(n));
            forcedSeqServed = Math.max(forcedSeqServed, done.forcedSeqAtStart());
            if (state.pending.size() > settings().refillAt()) {
                lowWaterArmed = true;
            }
            updateGauges(state);
            serveParked();
            runFollowUp();
        };
        if (r.added().isEmpty() && r.updated().isEmpty() && r.removed().isEmpty()) {
            after.run();
            return Effect().none();
        }
        return Effect().persist(r).thenRun(s -> after.run());
    }

    /**
     * The refill's jobs narrowed by constraints learned while it ran (an arch mismatch ending a lease meanwhile):
     * otherwise its jobs, computed with the older constraints, would widen the pending jobs the constraint narrowed.
     */
    private DesiredJobs.Result constrainedSinceStart(DesiredJobs.Result result, WindowState state) {
        Map<String, ArchConstraint> learned = new HashMap<>();
        state.constraints.forEach((test, c) -> {
            if (!c.equals(refillConstraints.get(test))) {
                learned.put(test, c);
            }
        });
        if (learned.isEmpty()) {
            return result;
        }
        List<Job> jobs = new ArrayList<>(result.jobs().size());
        for (Job j : result.jobs()) {
            ArchConstraint c = learned.get(j.key().test());
            jobs.add(c != null && j.allowedArches().contains(c.arch()) && j.allowedArches().size() > 1
                    ? j.withAllowedArches(Set.of(c.arch())) : j);
        }
        return new DesiredJobs.Result(jobs, result.desiredBeforeTruncation(), result.unschedulable(),
                result.liveCommits());
    }

    private Effect<WindowEvent, WindowState> onRefillFailed(WindowState state, RefillFailed f) {
        refilling = false;
        ctx.getLog().error("refill failed (trigger {}): {}", f.trigger(), f.error().toString());
        if (followUp == null && forcedSeq > forcedSeqServed) {
            // Claims stay parked after a force-push until a refill that knows the new tip succeeds.
            timers.startSingleTimer("refill-retry", new RequestRefill("retry"), Duration.ofSeconds(5));
        }
        runFollowUp();
        return Effect().none();
    }

    private void runFollowUp() {
        if (followUp != null) {
            String t = followUp;
            followUp = null;
            ctx.getSelf().tell(new RequestRefill(t));
        }
    }

    // ---- claims ---------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onClaim(WindowState state, ClaimBatch c) {
        parked.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        claims.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        claims.add(c);
        queueFlush();
        return Effect().none();
    }

    private void queueFlush() {
        if (!flushQueued) {
            flushQueued = true;
            ctx.getSelf().tell(new Flush());
        }
    }

    private Effect<WindowEvent, WindowState> onFlush(WindowState state, Flush f) {
        flushQueued = false;
        long now = System.currentTimeMillis();
        List<WindowEvent> events = new ArrayList<>();
        List<Runnable> announce = new ArrayList<>();
        // Host health as this write will leave it: two leases of one host ending together both count.
        Map<String, HostHealth> hosts = new HashMap<>();
        Set<String> ended = new HashSet<>();
        boolean requeues = false;
        for (LeaseEnded e : endings) {
            LeaseGrant grant = state.leases.get(e.leaseId());
            if (grant != null && ended.add(e.leaseId())) {
                List<WindowEvent> own = endEvents(state, grant, e, hosts, now);
                events.addAll(own);
                LeaseOutcome o = LeaseOutcome.of(grant, e, state, settings().infraRetries());
                requeues |= !o.requeued().isEmpty();
                announce.add(() -> leaseEnded(grant, e, o, own));
            }
        }
        endings.clear();
        if (requeues && !claims.isEmpty()) {
            // Jobs going back to pending are not in this state yet: plan the claims once they are, or a slot
            // that just lost a lease (revoke, expiry) would take older work before its own requeued subtests.
            return Effect().persist(events).thenRun(s -> {
                announce.forEach(Runnable::run);
                updateGauges(s);
                queueFlush();
                serveParked(); // a parked slot may take the requeued jobs the claiming one may not (§5)
            });
        }
        Set<JobKey> taken = new HashSet<>();
        long epoch = state.epoch;
        for (ClaimBatch c : claims) {
            LeaseGranted g = plan(state, c, hosts, taken, epoch, now);
            if (g == null) {
                parked.addLast(c);
                continue;
            }
            epoch = g.epoch();
            events.add(g);
            announce.add(() -> granted(state, g, c));
        }
        claims.clear();
        if (events.isEmpty()) {
            return Effect().none();
        }
        return Effect().persist(events).thenRun(s -> {
            announce.forEach(Runnable::run);
            updateGauges(s);
            serveParked();
        });
    }

    /** The grant for claim {@code c}, or null to park it; {@code taken}: jobs promised earlier in this write. */
    private LeaseGranted plan(WindowState state, ClaimBatch c, Map<String, HostHealth> hosts, Set<JobKey> taken,
                              long epoch, long now) {
        if (forcedSeq > forcedSeqServed || hosts.getOrDefault(c.host(), state.health(c.host())).quarantinedAt(now)) {
            return null;
        }
        // The farm's slots: each holds a lease, or has a claim parked or being served (adaptive budget, §5).
        int slots = state.leases.size() + parked.size() + claims.size();
        ClaimPlanner.Plan plan = ClaimPlanner.plan(state, fairShare, c.host(), c.slot(), c.arch(),
                settings().subtestDurationMax(), settings().tailBudget(), slots,
                ClaimPlanner.otherHostsOfArch(upHosts, state, c.host(), c.arch(), now), now, taken);
        if (plan == null) {
            return null;
        }
        List<JobKey> keys = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        for (Job j : plan.jobs()) {
            keys.add(j.key());
            taken.add(j.key());
            attempts.add(state.failuresOf(j.key()).count() + 1);
        }
        fairShare.charge(plan.seed().branch(), plan.totalCost(), now);
        // Epochs only grow: past the journal's last one, and past wall-clock microseconds, so a journal that was
        // lost or replaced cannot issue an epoch a running worker has already seen.
        return new LeaseGranted(UUID.randomUUID().toString(), Math.max(epoch + 1, now * 1000), c.host(), c.slot(),
                c.arch(), keys, attempts, plan.seed().branch(), plan.totalCost(), now);
    }

    private void granted(WindowState state, LeaseGranted g, ClaimBatch c) {
        LeaseGrant grant = state.leases.get(g.leaseId());
        List<CommitEvent.ClaimedKey> claimed = new ArrayList<>();
        for (int i = 0; i < grant.jobs().size(); i++) {
            Job j = grant.jobs().get(i);
            claimed.add(new CommitEvent.ClaimedKey(j.resultKey(), grant.attempts().get(i)));
            Long q = queuedAt.remove(queueKey(j.key()));
            if (q != null) {
                metrics.queueWait.observe((g.at() - q) / 1000.0);
            }
        }
        results.tell(new ResultsStore.Claim(grant.commit(), claimed, grant.leaseId(), grant.epoch(), c.host(), c.slot(),
                c.arch(), g.at() / 1000));
        metrics.leasesGranted.inc();
        ctx.getLog().info("lease granted: lease={} epoch={} slot={}:{} commit={} test={} subtests={} attempt={}",
                grant.leaseId(), grant.epoch(), c.host(), c.slot(), grant.commit(), grant.first().key().test(),
                grant.jobs().size(), grant.attempt());
        c.replyTo().tell(new BatchOffer(grant));
        live.lease(grant, "granted", "", g.at());
        clock.firstLease(grant.commit(), g.at()).ifPresent(ms -> metrics.commitFirstLease.observe(ms / 1000.0));
        updateGauges(state);
        long now = System.currentTimeMillis();
        // §4.1: at most one low-water refill per fetch_interval while pending stays at or below refill_at; once
        // a refill lifted it above, the next dip refills at once.
        if (state.pending.size() <= settings().refillAt()
                && (lowWaterArmed || now - lastLowWaterRefill >= settings().fetchInterval().toMillis())) {
            lastLowWaterRefill = now;
            lowWaterArmed = false;
            ctx.getSelf().tell(new RequestRefill("low_water"));
        }
    }

    private Effect<WindowEvent, WindowState> onCancelClaims(WindowState state, CancelClaims c) {
        parked.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        claims.removeIf(p -> p.host().equals(c.host()) && p.slot() == c.slot());
        return Effect().none();
    }

    /** Parked claims are re-sent to self, oldest first; those still without work park again. */
    private void serveParked() {
        List<ClaimBatch> again = new ArrayList<>(parked);
        parked.clear();
        again.forEach(ctx.getSelf()::tell);
    }

    // ---- lease ends -----------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onLeaseEnded(WindowState state, LeaseEnded e) {
        if (!state.leases.containsKey(e.leaseId())) {
            return Effect().none();
        }
        unresumed.remove(e.leaseId());
        endings.add(withRecordedVerdicts(state.leases.get(e.leaseId()), e));
        queueFlush();
        return Effect().none();
    }

    /**
     * {@code e} with every key of the lease that has a verdict in the results index: "keys with verdicts keep them"
     * (scheduling.md §7) also when the ending does not list them. A lease recovered after a restart and ended as
     * {@code coordinator_failover} lists none, though some of its subtests got verdicts before the crash; re-queued,
     * they would run again and their second verdicts be refused.
     */
    private LeaseEnded withRecordedVerdicts(LeaseGrant grant, LeaseEnded e) {
        Set<String> verdicts = new HashSet<>(e.verdictKeys());
        for (Job j : grant.jobs()) {
            if (!verdicts.contains(j.resultKey()) && index.hasVerdict(j.key().commit(), j.resultKey())) {
                verdicts.add(j.resultKey());
            }
        }
        return verdicts.size() == e.verdictKeys().size() ? e : new LeaseEnded(e.leaseId(), e.outcome(), e.reason(),
                e.unreached(), Set.copyOf(verdicts), e.declaredArch(), e.downId());
    }

    /** The events that end {@code grant} (scheduling.md §7–§9); {@code hosts} tracks health within the write. */
    private List<WindowEvent> endEvents(WindowState state, LeaseGrant grant, LeaseEnded e, Map<String, HostHealth> hosts,
                                        long now) {
        LeaseOutcome o = LeaseOutcome.of(grant, e, state, settings().infraRetries());
        boolean hostFailure = o.hostFailure() && (e.downId().isEmpty() || countedDowns.add(e.downId()));
        List<WindowEvent> events = new ArrayList<>();
        events.add(new WindowEvent.LeaseEnded(e.leaseId(), e.reason(), o.requeued(), o.failedToRun(), o.counted(),
                hostFailure, o.hostSuccess(), now));
        if (BatchFinished.ARCH_MISMATCH.equals(e.outcome()) && !e.declaredArch().isEmpty()) {
            long mtime = source.listingMtime(grant.first().key().test());
            events.add(new ConstraintLearned(grant.first().key().test(), mtime, e.declaredArch(), now));
        }
        HostHealth h = hosts.getOrDefault(grant.host(), state.health(grant.host()));
        HostHealth next = hostFailure ? h.failed() : o.hostSuccess() ? h.succeeded() : h;
        if (hostFailure && h.consecutive() + 1 >= settings().quarantineAfter() && !h.quarantinedAt(now)) {
            long length = Math.min(settings().quarantineBackoff().toMillis() << Math.min(h.level(), 30),
                    settings().quarantineBackoffMax().toMillis());
            events.add(new HostQuarantined(grant.host(), now + length, h.level() + 1, "failures", now));
            next = next.quarantined(now + length, h.level() + 1, settings().quarantineAfter());
        }
        hosts.put(grant.host(), next);
        return events;
    }

    /** The SSE {@code lease} event name of a lease end (http.md §7). */
    static String leaseEvent(LeaseEnded e) {
        return switch (e.reason()) {
            case "lease_timeout", "member_down", "dispatch_timeout", "coordinator_failover" -> "expired";
            case "admin_revoke" -> "revoked";
            default -> "REFUSED".equals(e.outcome()) ? "rejected" : "finished";
        };
    }

    private void leaseEnded(LeaseGrant grant, LeaseEnded e, LeaseOutcome o, List<WindowEvent> events) {
        long now = System.currentTimeMillis();
        // storage.md §7.1: Failed-to-run verdicts are recorded under the ending lease before its claims go.
        for (JobKey k : o.failedToRun()) {
            decided.put(k, now);
            if (k.observation() > 0) {
                continue; // a re-run that could not run observes nothing; the verdict stands as it is
            }
            String key = grant.jobs().stream().filter(j -> j.key().equals(k)).findFirst().orElseThrow().resultKey();
            results.tell(new ResultsStore.FailedToRun(k.commit(), key, grant.leaseId(), o.reasonOf(k)));
            metrics.failedToRun.inc();
        }
        o.decided().forEach(k -> decided.put(k, now));
        // A failure (or a failed re-run) may want a re-run (issue 14): its verdict is in the index by now, as the
        // executor ends a lease only once its verdicts are durable.
        boolean failed = grant.jobs().stream().filter(j -> o.decided().contains(j.key())).anyMatch(j ->
                index.record(j.key().commit(), j.resultKey()).filter(r -> r.status() == Status.FAILED).isPresent()
                        || source.refillAfter(j.key()));
        if (failed) {
            ctx.getSelf().tell(new RequestRefill("failures"));
        }
        List<String> release = new ArrayList<>();
        Map<String, String> reasons = new HashMap<>();
        for (Job j : grant.jobs()) {
            if (o.requeued().contains(j.key())) {
                release.add(j.resultKey());
                reasons.put(j.resultKey(), o.reasonOf(j.key()));
                queuedAt.put(queueKey(j.key()), now);
            }
        }
        if (!release.isEmpty()) {
            results.tell(new ResultsStore.Release(grant.commit(), release, grant.leaseId(), e.reason(), reasons));
        }
        o.counted().forEach(k -> metrics.infraFailures.labelValues(o.reasonOf(k)).inc());
        metrics.leasesEnded.labelValues(e.reason()).inc();
        live.lease(grant, leaseEvent(e), e.reason(), now);
        ctx.getLog().info("lease ended: lease={} outcome={} reason={} verdicts={} requeued={} failed_to_run={}",
                e.leaseId(), e.outcome(), e.reason(), o.decided().size(), o.requeued().size(), o.failedToRun().size());
        for (WindowEvent ev : events) {
            if (ev instanceof HostQuarantined q) {
                metrics.hostQuarantines.labelValues(q.host()).inc();
                live.host(q.host(), "quarantined", q.until());
                ctx.getLog().warn("host quarantined: host={} until={} level={} (consecutive infrastructure failures)",
                        q.host(), java.time.Instant.ofEpochMilli(q.until()), q.level());
                timers.startSingleTimer("quarantine-" + q.host(), new QuarantineOver(q.host()),
                        Duration.ofMillis(Math.max(0, q.until() - now)));
            } else if (ev instanceof ConstraintLearned c) {
                ctx.getLog().info("arch constraint learned: test={} arch={}", c.test(), c.arch());
            }
        }
    }

    // ---- recovery and resumption ------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onResumeLeases(WindowState state, ResumeLeases r) {
        List<LeaseGrant> resume = new ArrayList<>();
        List<String> abandon = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (ActiveLease a : r.active()) {
            LeaseGrant g = state.leases.get(a.leaseId());
            reported.add(a.leaseId());
            if (g != null && g.host().equals(r.host()) && g.slot() == a.slot() && g.epoch() == a.epoch()
                    && unresumed.remove(a.leaseId())) {
                resume.add(g);
            } else {
                abandon.add(a.leaseId());
            }
        }
        r.replyTo().tell(new ResumeDecision(resume, abandon));
        // The host's other recovered leases are not running there any more.
        for (LeaseGrant g : List.copyOf(state.leases.values())) {
            if (g.host().equals(r.host()) && unresumed.contains(g.leaseId()) && !reported.contains(g.leaseId())) {
                ctx.getSelf().tell(new LeaseEnded(g.leaseId(), "ABANDONED", "coordinator_failover", Map.of(),
                        Set.of()));
            }
        }
        if (!resume.isEmpty()) {
            ctx.getLog().info("leases resumed: host={} leases={}", r.host(), resume.size());
        }
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onExpireUnresumed(WindowState state, ExpireUnresumed x) {
        for (String id : List.copyOf(unresumed)) {
            metrics.leaseExpiries.labelValues("coordinator_failover").inc();
            ctx.getSelf().tell(new LeaseEnded(id, "ABANDONED", "coordinator_failover", Map.of(), Set.of()));
        }
        return Effect().none();
    }

    // ---- admin ----------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onQuarantineHost(WindowState state, QuarantineHost q) {
        long now = System.currentTimeMillis();
        HostHealth h = state.health(q.host());
        HostQuarantined e = new HostQuarantined(q.host(), now + q.seconds() * 1000, h.level(), "admin", now);
        return Effect().persist(e).thenRun(s -> {
            metrics.hostQuarantines.labelValues(q.host()).inc();
            ctx.getLog().warn("host quarantined by admin: host={} seconds={}", q.host(), q.seconds());
            live.host(q.host(), "quarantined", e.until());
            timers.startSingleTimer("quarantine-" + q.host(), new QuarantineOver(q.host()),
                    Duration.ofSeconds(q.seconds()));
            q.replyTo().tell(s.health(q.host()));
        });
    }

    private Effect<WindowEvent, WindowState> onReleaseHost(WindowState state, ReleaseHost r) {
        HostHealth h = state.health(r.host());
        if (h.until() == 0) {
            if (r.replyTo() != null) {
                r.replyTo().tell(h);
            }
            return Effect().none();
        }
        return Effect().persist(new HostReleased(r.host(), r.by(), System.currentTimeMillis())).thenRun(s -> {
            timers.cancel("quarantine-" + r.host());
            ctx.getLog().info("host released: host={} by={}", r.host(), r.by());
            live.host(r.host(), upHosts.containsKey(r.host()) ? "up" : "down", 0);
            if (r.replyTo() != null) {
                r.replyTo().tell(s.health(r.host()));
            }
            serveParked();
        });
    }

    private Effect<WindowEvent, WindowState> onResetResults(WindowState state, ResetResults r) {
        Set<JobKey> candidates = new HashSet<>(state.failures.keySet());
        candidates.addAll(decided.keySet());
        List<JobKey> match = new ArrayList<>();
        for (JobKey k : candidates) {
            Set<String> keys = r.keysByCommit().get(k.commit());
            if (keys != null && keys.contains(resultKeyOf(k))) {
                match.add(k);
            }
        }
        return onResetFailures(state, new ResetFailures(match, r.trigger()));
    }

    static String resultKeyOf(JobKey k) {
        return org.ktestci.schema.keys.ResultKeys.key(
                org.ktestci.schema.keys.ResultKeys.basename(k.test(), k.kernel(), k.env(), k.archId()), k.subtest());
    }

    private Effect<WindowEvent, WindowState> onResetFailures(WindowState state, ResetFailures r) {
        r.keys().forEach(decided::remove);
        List<JobKey> known = r.keys().stream().filter(state.failures::containsKey).toList();
        if (known.isEmpty()) {
            return requestRefill(state, r.trigger());
        }
        return Effect().persist(new FailuresReset(known, System.currentTimeMillis()))
                .thenRun(s -> ctx.getSelf().tell(new RequestRefill(r.trigger())));
    }

    // ---- queries --------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onGetQueue(WindowState state, GetQueue q) {
        Map<String, Integer> byBranch = new LinkedHashMap<>();
        state.pending.branches().forEach(b -> byBranch.put(b, state.pending.countForBranch(b)));
        long now = System.currentTimeMillis();
        List<String> quarantined = state.hosts.entrySet().stream().filter(e -> e.getValue().quarantinedAt(now))
                .map(Map.Entry::getKey).sorted().toList();
        Map<String, Integer> leasedByBranch = new LinkedHashMap<>();
        for (LeaseGrant g : state.leases.values()) {
            g.jobs().forEach(j -> leasedByBranch.merge(j.branch(), 1, Integer::sum));
        }
        q.replyTo().tell(new QueueSummary(settings().window(), settings().refillAt(), state.pending.size(),
                state.leasedKeys.size(), byBranch, leasedByBranch, fairShare.standings(now), unschedulable, lastRefill, quarantined, refilling,
                parked.size()));
        return Effect().none();
    }

    private long lastQueueEvent;
    private boolean queueEventTimer;

    /** Publishes the queue event now, or schedules it for when the 5 s since the last one are over. */
    private void queueChanged(WindowState state) {
        long now = System.currentTimeMillis();
        if (now - lastQueueEvent >= QUEUE_EVENT_MILLIS) {
            publishQueue(state);
        } else if (!queueEventTimer) {
            queueEventTimer = true;
            timers.startSingleTimer("queue-event", new QueueEventDue(),
                    Duration.ofMillis(QUEUE_EVENT_MILLIS - (now - lastQueueEvent)));
        }
    }

    private void publishQueue(WindowState state) {
        lastQueueEvent = System.currentTimeMillis();
        Map<String, Integer> byBranch = new LinkedHashMap<>();
        state.pending.branches().forEach(b -> byBranch.put(b, state.pending.countForBranch(b)));
        live.queue(state.pending.size(), state.leasedKeys.size(), byBranch);
    }

    private void updateGauges(WindowState state) {
        queueChanged(state);
        metrics.fairShareUsage.clear();
        fairShare.standings(System.currentTimeMillis()).forEach((b, u) -> metrics.fairShareUsage.labelValues(b).set(u));
        metrics.windowPending.set(state.pending.size());
        metrics.windowLeased.set(state.leasedKeys.size());
        metrics.pendingJobs.clear();
        state.pending.branches().forEach(b -> metrics.pendingJobs.labelValues(b).set(state.pending.countForBranch(b)));
        metrics.unschedulable.clear();
        unschedulable.forEach((arch, n) -> metrics.unschedulable.labelValues(arch).set(n));
    }

    private static String queueKey(JobKey k) {
        return k.commit() + "\0" + k.test() + "\0" + k.subtest() + "\0" + k.kernel() + "\0" + k.env() + "\0" + k.archId();
    }
}
