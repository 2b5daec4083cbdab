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
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.WindowEvent.FailuresReset;
import org.ktestci.coordinator.scheduling.WindowEvent.WindowReconciled;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.schema.keys.ResultKeys;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
            permits TipsChanged, HostsChanged, ClaimBatch, CancelClaims, EndLease, RequestRefill, ResumeLeases,
            QuarantineHost, ReleaseHost, ResetFailures, GetQueue, GetLeases, GetJobCommits, RefillCompleted,
            RefillFailed, ExpireUnresumed, QuarantineOver, Flush, ResetResults, QueueEventDue {}

    /**
     * Group commit (sent to itself): the lease ends and claims collected since the last write become one journal
     * write; a busy farm ends and grants many leases a second.
     */
    record Flush() implements Command {}

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
    public record EndLease(String leaseId, LeaseEndKind outcome, LeaseEndReason reason,
                           Map<String, LeaseEndReason> unreached, Set<String> verdictKeys, String declaredArch,
                           String downId) implements Command {
        public EndLease(String leaseId, LeaseEndKind outcome, LeaseEndReason reason,
                        Map<String, LeaseEndReason> unreached, Set<String> verdictKeys) {
            this(leaseId, outcome, reason, unreached, verdictKeys, "", "");
        }
    }

    public record RequestRefill(String trigger) implements Command {}

    /** A worker's hello listed its running leases: which of them the recovered window still holds. */
    public record ResumeLeases(String host, List<ActiveLease> active, ActorRef<ResumeDecision> replyTo)
            implements Command {}

    public record ActiveLease(int slot, String leaseId, long epoch) {}

    public record ResumeDecision(List<LeaseGrant> resume, List<String> abandon) implements NoSerializationVerificationNeeded {}

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
    record QueueEventDue() implements Command {}

    /** Admin re-run or clear: forget these jobs' failures, then refill. */
    public record ResetFailures(List<JobKey> keys, String trigger) implements Command {}

    public record GetQueue(ActorRef<QueueSummary> replyTo) implements Command {}

    public record GetLeases(ActorRef<LeaseSummary> replyTo) implements Command {}

    public record LeaseSummary(List<LeaseGrant> leases, Map<String, HostHealth> hosts) implements NoSerializationVerificationNeeded {}

    public record LastRefill(long at, String trigger, int desired, int added, Map<String, Integer> removed,
                             long durationMs) {}

    public record QueueSummary(int window, int refillAt, int pending, int leased, Map<String, Integer> pendingByBranch,
                               Map<String, Integer> leasedByBranch, Map<String, Double> fairShare, Map<String, Integer> unschedulable,
                               LastRefill lastRefill, List<String> quarantinedHosts, boolean refilling,
                               int parkedClaims)
            implements NoSerializationVerificationNeeded {}

    private record RefillCompleted(DesiredJobs.Result result, String trigger, long millis, long forcedSeqAtStart)
            implements Command {}

    private record RefillFailed(Throwable error, String trigger, long forcedSeqAtStart) implements Command {}

    /** After recovery: leases no worker resumed within lease_timeout end with coordinator_failover. */
    private record ExpireUnresumed() implements Command {}

    record QuarantineOver(String host) implements Command {}

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
    private final FairShare fairShare;
    private final LeaseResumption resumption = new LeaseResumption();
    private Map<String, String> upHosts = Map.of();
    private final RefillInFlight refill = new RefillInFlight();
    private final QueueReporting queue;
    private final LeaseEnding ending;
    private final LeaseBatches batches;
    private final HostQuarantines quarantines;

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
        this.queue = new QueueReporting(metrics, events, fairShare, timers, settings);
        this.ending = new LeaseEnding(ctx.getSelf(), results, index, source, metrics, events, queue, timers, settings,
                ctx.getLog(), refill.decided);
        this.batches = new LeaseBatches(ctx.getSelf(), results, fairShare, refill, ending, queue, metrics, events,
                clock, settings, () -> upHosts, ctx.getLog());
        this.quarantines = new HostQuarantines(timers, metrics, events, () -> upHosts, batches, ctx.getLog());
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
        return WindowState.snapshots(() -> settings().quarantineAfter());
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
        state.pending.keys().forEach(k -> queue.queued(k, now));
        int awaiting = resumption.recovered(state);
        if (awaiting > 0) {
            ctx.getLog().info("window recovered: {} pending, {} leases awaiting their workers, epoch {}",
                    state.pending.size(), awaiting, state.epoch);
            timers.startSingleTimer("expire-unresumed", new ExpireUnresumed(), settings().leaseTimeout());
        }
        QuarantineTimers.recovered(timers, state, now);
        timers.startTimerWithFixedDelay("periodic-refill", new RequestRefill("interval"), settings().refillInterval());
        queue.changed(state);
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
                .onCommand(Flush.class, (st, f) -> batches.flush(st, Effect()))
                .onCommand(CancelClaims.class, this::onCancelClaims)
                .onCommand(EndLease.class, this::onLeaseEnded)
                .onCommand(ResumeLeases.class, this::onResumeLeases)
                .onCommand(ExpireUnresumed.class, this::onExpireUnresumed)
                .onCommand(QuarantineHost.class, (st, q) -> quarantines.quarantine(st, q, Effect()))
                .onCommand(ReleaseHost.class, (st, r) -> quarantines.release(st, r, Effect()))
                .onCommand(QuarantineOver.class, (st, q) -> quarantines.over(st, q, Effect()))
                .onCommand(ResetFailures.class, this::onResetFailures)
                .onCommand(ResetResults.class, this::onResetResults)
                .onCommand(QueueEventDue.class, (st, d) -> {
                    queue.due(st);
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
            refill.forcePushed();
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
        batches.serveParked();
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> requestRefill(WindowState state, String trigger) {
        metrics.refills.labelValues(trigger).inc();
        fairShare.halfLife(settings().fairShareHalfLife().toMillis());
        metrics.windowCapacity.set(settings().window());
        refill.start(trigger, state, source, Set.copyOf(upHosts.values()), settings().window(), blocking)
                .ifPresent(started -> ctx.pipeToSelf(started.result(), (res, err) -> err == null
                        ? new RefillCompleted(res, trigger, (System.nanoTime() - started.startNanos()) / 1_000_000,
                        started.forcedSeqAtStart())
                        : new RefillFailed(err, trigger, started.forcedSeqAtStart())));
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onRefillCompleted(WindowState state, RefillCompleted done) {
        long now = System.currentTimeMillis();
        metrics.refillDuration.observe(done.millis() / 1000.0);
        WindowReconciled r = Reconciler.reconcile(state, refill.constrainedSinceStart(done.result(), state),
                settings().window(), refill.excluded(), refill.decided.keySet(), index::hasVerdict, done.trigger(),
                now);
        refill.completed(done.forcedSeqAtStart());
        Map<String, Integer> removedBy = new LinkedHashMap<>();
        r.removed().forEach(rm -> removedBy.merge(rm.reason(), 1, Integer::sum));
        queue.refilled(new LastRefill(now, done.trigger(), done.result().desiredBeforeTruncation(),
                r.added().size(), removedBy, done.millis()), done.result().unschedulable());
        Runnable after = () -> {
            ctx.getLog().info("refill: {} desired, {} added, {} removed ({} left branches), {} pending, {} leased, "
                            + "{} ms (trigger {})", done.result().desiredBeforeTruncation(), r.added().size(),
                    r.removed().size(), removedBy.getOrDefault(Reconciler.LEFT_BRANCHES, 0), state.pending.size(),
                    state.leasedKeys.size(), done.millis(), done.trigger());
            r.added().forEach(j -> queue.queued(j.key(), now));
            r.removed().forEach(rm -> queue.dropped(rm.key()));
            metrics.jobsQueued.inc(r.added().size());
            removedBy.forEach((reason, n) -> metrics.jobsCancelled.labelValues(reason).inc(n));
            if (state.pending.size() > settings().refillAt()) {
                refill.aboveLowWater();
            }
            queue.changed(state);
            batches.serveParked();
            runFollowUp();
        };
        if (r.added().isEmpty() && r.updated().isEmpty() && r.removed().isEmpty()) {
            after.run();
            return Effect().none();
        }
        return Effect().persist(r).thenRun(s -> after.run());
    }

    private Effect<WindowEvent, WindowState> onRefillFailed(WindowState state, RefillFailed f) {
        refill.failed();
        ctx.getLog().error("refill failed (trigger {}): {}", f.trigger(), f.error().toString());
        if (!refill.hasFollowUp() && refill.claimsWait()) {
            // Claims stay parked after a force-push until a refill that knows the new tip succeeds.
            timers.startSingleTimer("refill-retry", new RequestRefill("retry"), Duration.ofSeconds(5));
        }
        runFollowUp();
        return Effect().none();
    }

    private void runFollowUp() {
        refill.takeFollowUp().ifPresent(t -> ctx.getSelf().tell(new RequestRefill(t)));
    }

    // ---- claims and lease ends ----------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onClaim(WindowState state, ClaimBatch c) {
        batches.claim(c);
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onCancelClaims(WindowState state, CancelClaims c) {
        batches.cancel(c.host(), c.slot());
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onLeaseEnded(WindowState state, EndLease e) {
        if (state.leases.containsKey(e.leaseId())) {
            resumption.forget(e.leaseId());
            batches.end(ending.withRecordedVerdicts(state.leases.get(e.leaseId()), e));
        }
        return Effect().none();
    }

    // ---- recovery and resumption ------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onResumeLeases(WindowState state, ResumeLeases r) {
        LeaseResumption.Decision d = resumption.decide(state, r.host(), r.active());
        r.replyTo().tell(d.answer());
        d.toEnd().forEach(ctx.getSelf()::tell);
        if (!d.answer().resume().isEmpty()) {
            ctx.getLog().info("leases resumed: host={} leases={}", r.host(), d.answer().resume().size());
        }
        return Effect().none();
    }

    private Effect<WindowEvent, WindowState> onExpireUnresumed(WindowState state, ExpireUnresumed x) {
        for (EndLease end : resumption.expired()) {
            metrics.leaseExpiries.labelValues(end.reason().wireName()).inc();
            ctx.getSelf().tell(end);
        }
        return Effect().none();
    }

    // ---- admin ----------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onResetResults(WindowState state, ResetResults r) {
        Set<JobKey> candidates = new HashSet<>(state.failures.keySet());
        candidates.addAll(refill.decided.keySet());
        List<JobKey> match = candidates.stream().filter(k -> r.keysByCommit().getOrDefault(k.commit(), Set.of())
                .contains(ResultKeys.key(ResultKeys.basename(k.test(), k.kernel(), k.env(), k.archId()), k.subtest())))
                .toList();
        return onResetFailures(state, new ResetFailures(match, r.trigger()));
    }

    private Effect<WindowEvent, WindowState> onResetFailures(WindowState state, ResetFailures r) {
        r.keys().forEach(refill.decided::remove);
        List<JobKey> known = r.keys().stream().filter(state.failures::containsKey).toList();
        if (known.isEmpty()) {
            return requestRefill(state, r.trigger());
        }
        return Effect().persist(new FailuresReset(known, System.currentTimeMillis()))
                .thenRun(s -> ctx.getSelf().tell(new RequestRefill(r.trigger())));
    }

    // ---- queries --------------------------------------------------------------------------------------------

    private Effect<WindowEvent, WindowState> onGetQueue(WindowState state, GetQueue q) {
        q.replyTo().tell(queue.summary(state, refill.running(), batches.parked()));
        return Effect().none();
    }
}
