package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.CommitEvent;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.WindowEvent.LeaseGranted;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The {@link JobWindow}'s claims and lease ends between two journal writes: collected, then flushed as one write
 * (a busy farm ends and grants many leases a second), each claim planned ({@link ClaimPlanner}) or parked until
 * work it may take exists, parked claims served oldest first after every change. Owned by the window's actor.
 */
final class LeaseBatches {
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final FairShare fairShare;
    private final RefillInFlight refill;
    private final LeaseEnding ending;
    private final QueueReporting queue;
    private final CoordinatorMetrics metrics;
    private final LiveEvents live;
    private final CommitClock clock;
    private final Supplier<SchedulerSettings> settings;
    private final Supplier<Map<String, String>> upHosts;
    private final Logger log;

    /** Claims without work, oldest first, by slot ({@link #slotKey}). */
    private final Map<String, JobWindow.ClaimBatch> parked = new LinkedHashMap<>();
    /** Lease ends and claims (by slot, in arrival order) waiting for the next {@link JobWindow.Flush}. */
    private final List<JobWindow.EndLease> endings = new ArrayList<>();
    private final Map<String, JobWindow.ClaimBatch> claims = new LinkedHashMap<>();
    private boolean flushQueued;

    LeaseBatches(ActorRef<JobWindow.Command> window, ActorRef<ResultsStore.Command> results, FairShare fairShare,
                 RefillInFlight refill, LeaseEnding ending, QueueReporting queue, CoordinatorMetrics metrics,
                 LiveEvents live, CommitClock clock, Supplier<SchedulerSettings> settings,
                 Supplier<Map<String, String>> upHosts, Logger log) {
        this.window = window;
        this.results = results;
        this.fairShare = fairShare;
        this.refill = refill;
        this.ending = ending;
        this.queue = queue;
        this.metrics = metrics;
        this.live = live;
        this.clock = clock;
        this.settings = settings;
        this.upHosts = upHosts;
        this.log = log;
    }

    /** An idle slot's claim: served at the next flush (it replaces that slot's earlier claim). */
    void claim(JobWindow.ClaimBatch c) {
        cancel(c.host(), c.slot());
        claims.put(slotKey(c.host(), c.slot()), c);
        queueFlush();
    }

    /** A slot went away or became unreachable: forget its claim. */
    void cancel(String host, int slot) {
        String k = slotKey(host, slot);
        parked.remove(k);
        claims.remove(k);
    }

    private static String slotKey(String host, int slot) {
        return host + "\0" + slot;
    }

    /** A lease of the window ends: at the next flush. */
    void end(JobWindow.EndLease e) {
        endings.add(e);
        queueFlush();
    }

    int parked() {
        return parked.size();
    }

    private void queueFlush() {
        if (!flushQueued) {
            flushQueued = true;
            window.tell(new JobWindow.Flush());
        }
    }

    /**
     * Group commit (scheduling.md §5): the lease ends and claims collected since the last flush become one journal
     * write; {@code effects} are the window's.
     */
    Effect<WindowEvent, WindowState> flush(WindowState state, EffectFactories<WindowEvent, WindowState> effects) {
        flushQueued = false;
        long started = System.nanoTime();
        state.pending.releaseHeld(); // none: a write whose grants were not applied restarts the actor
        long now = System.currentTimeMillis();
        List<WindowEvent> events = new ArrayList<>();
        List<Runnable> announce = new ArrayList<>();
        // Host health as this write will leave it: two leases of one host ending together both count.
        Map<String, HostHealth> hosts = new HashMap<>();
        Set<String> ended = new HashSet<>();
        boolean requeues = false;
        for (JobWindow.EndLease e : endings) {
            LeaseGrant grant = state.leases.get(e.leaseId());
            if (grant != null && ended.add(e.leaseId())) {
                LeaseOutcome o = LeaseOutcome.of(grant, e, state, settings.get().infraRetries());
                List<WindowEvent> own = ending.events(state, grant, e, o, hosts, now);
                events.addAll(own);
                requeues |= !o.requeued().isEmpty();
                announce.add(() -> ending.ended(grant, e, o, own));
            }
        }
        endings.clear();
        if (requeues && !claims.isEmpty()) {
            // Jobs going back to pending are not in this state yet: plan the claims once they are, or a slot
            // that just lost a lease (revoke, expiry) would take older work before its own requeued subtests.
            return effects.persist(events).thenRun(s -> {
                announce.forEach(Runnable::run);
                queue.changed(s);
                queueFlush();
                serveParked(); // a parked slot may take the requeued jobs the claiming one may not (§5)
            });
        }
        long epoch = state.epoch;
        List<JobWindow.ClaimBatch> served = new ArrayList<>(claims.values());
        claims.clear();
        // The farm's slots: each holds a lease, or has a claim parked or being served (adaptive budget, §5).
        int slots = state.leases.size() + parked.size() + served.size();
        List<Runnable> after = new ArrayList<>();
        for (JobWindow.ClaimBatch c : served) {
            LeaseGranted g = plan(state, c, hosts, epoch, now, slots);
            if (g == null) {
                parked.put(slotKey(c.host(), c.slot()), c);
                continue;
            }
            epoch = g.epoch();
            events.add(g);
            announce.add(() -> offer(state, g, c));
            after.add(() -> granted(state, g, c));
        }
        if (events.isEmpty()) {
            return effects.none();
        }
        long planned = System.nanoTime();
        metrics.windowFlush.labelValues("plan").observe((planned - started) / 1e9);
        return effects.persist(events).thenRun(s -> {
            long written = System.nanoTime();
            metrics.windowFlush.labelValues("write").observe((written - planned) / 1e9);
            // The grants are durable: every claim of the write gets its offer, then the bookkeeping follows.
            announce.forEach(Runnable::run);
            after.forEach(Runnable::run);
            queue.changed(s);
            serveParked();
            metrics.windowFlush.labelValues("reply").observe((System.nanoTime() - written) / 1e9);
        });
    }

    /**
     * The grant for claim {@code c}, or null to park it. Its jobs are held ({@link PendingJobs#hold}): the next claims
     * of this write plan as if it were applied already.
     */
    private LeaseGranted plan(WindowState state, JobWindow.ClaimBatch c, Map<String, HostHealth> hosts, long epoch,
                              long now, int slots) {
        if (refill.claimsWait() || hosts.getOrDefault(c.host(), state.health(c.host())).quarantinedAt(now)) {
            return null;
        }
        ClaimPlanner.Plan plan = ClaimPlanner.plan(state, fairShare, c.host(), c.slot(), c.arch(),
                settings.get().subtestDurationMax(), settings.get().tailBudget(), slots,
                ClaimPlanner.otherHostsOfArch(upHosts.get(), state, c.host(), c.arch(), now), now);
        if (plan == null) {
            return null;
        }
        List<JobKey> keys = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        for (Job j : plan.jobs()) {
            keys.add(j.key());
            state.pending.hold(j.key());
            attempts.add(state.failuresOf(j.key()).count() + 1);
        }
        fairShare.charge(plan.seed().branch(), plan.totalCost(), now);
        // Epochs only grow: past the journal's last one, and past wall-clock microseconds, so a journal that was
        // lost or replaced cannot issue an epoch a running worker has already seen.
        return new LeaseGranted(UUID.randomUUID().toString(), Math.max(epoch + 1, now * 1000), c.host(), c.slot(),
                c.arch(), keys, attempts, plan.seed().branch(), plan.totalCost(), now);
    }

    /** The durable grant {@code g}: its keys go In progress (§5), and the claiming executor gets its offer. */
    private void offer(WindowState state, LeaseGranted g, JobWindow.ClaimBatch c) {
        LeaseGrant grant = state.leases.get(g.leaseId());
        List<CommitEvent.ClaimedKey> claimed = new ArrayList<>(grant.jobs().size());
        for (int i = 0; i < grant.jobs().size(); i++) {
            claimed.add(new CommitEvent.ClaimedKey(grant.jobs().get(i).resultKey(), grant.attempts().get(i)));
        }
        results.tell(new ResultsStore.Claim(grant.commit(), claimed, grant.leaseId(), grant.epoch(), c.host(), c.slot(),
                c.arch(), g.at() / 1000));
        c.replyTo().tell(new BatchOffer(grant));
    }

    /** After every offer of the write: metrics, the log line, the live event, the low-water refill. */
    private void granted(WindowState state, LeaseGranted g, JobWindow.ClaimBatch c) {
        LeaseGrant grant = state.leases.get(g.leaseId());
        grant.jobs().forEach(j -> queue.leased(j.key(), g.at()));
        metrics.leasesGranted.inc();
        log.info("lease granted: lease={} epoch={} slot={}:{} commit={} test={} subtests={} attempt={}",
                grant.leaseId(), grant.epoch(), c.host(), c.slot(), grant.commit(), grant.first().key().test(),
                grant.jobs().size(), grant.attempt());
        live.lease(LeaseEnding.live(grant), "granted", "", g.at());
        clock.firstLease(grant.commit(), g.at()).ifPresent(ms -> metrics.commitFirstLease.observe(ms / 1000.0));
        if (refill.lowWaterDue(state.pending.size(), settings.get().refillAt(), settings.get().fetchInterval().toMillis(),
                System.currentTimeMillis())) {
            window.tell(new JobWindow.RequestRefill("low_water"));
        }
    }

    /** Parked claims are re-sent to self, oldest first; those still without work park again. */
    void serveParked() {
        List<JobWindow.ClaimBatch> again = new ArrayList<>(parked.values());
        parked.clear();
        again.forEach(window::tell);
    }
}
