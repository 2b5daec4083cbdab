package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.WindowEvent.ConstraintLearned;
import org.ktestci.coordinator.scheduling.WindowEvent.HostQuarantined;
import org.ktestci.schema.status.Status;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How the {@link JobWindow} ends a lease (scheduling.md §7–§9): the events that end it (its jobs requeued,
 * decided or Failed to run, a failure charged, an arch constraint learned, the host quarantined), and once they
 * are persisted what follows (Failed-to-run verdicts and released claims in the results store, metrics, the
 * {@code lease} SSE event, the quarantine timer). Owned by the window's actor; never touched off its thread.
 */
final class LeaseEnding {
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final ResultsIndex index;
    private final RefillSource source;
    private final CoordinatorMetrics metrics;
    private final LiveEvents live;
    private final QueueReporting queue;
    private final TimerScheduler<JobWindow.Command> timers;
    private final Supplier<SchedulerSettings> settings;
    private final Logger log;
    /** Jobs decided lately, by when: a refill leaves them out until the index surely shows their verdicts. */
    private final Map<JobKey, Long> decided;
    /** The host-downs already counted toward a quarantine (one per host-down, however many leases it ended). */
    private final Set<String> countedDowns = new HashSet<>();

    LeaseEnding(ActorRef<JobWindow.Command> window, ActorRef<ResultsStore.Command> results, ResultsIndex index,
                RefillSource source, CoordinatorMetrics metrics, LiveEvents live, QueueReporting queue,
                TimerScheduler<JobWindow.Command> timers, Supplier<SchedulerSettings> settings, Logger log,
                Map<JobKey, Long> decided) {
        this.window = window;
        this.results = results;
        this.index = index;
        this.source = source;
        this.metrics = metrics;
        this.live = live;
        this.queue = queue;
        this.timers = timers;
        this.settings = settings;
        this.log = log;
        this.decided = decided;
    }

    /**
     * {@code e} with every key of the lease that has a verdict in the results index: "keys with verdicts keep them"
     * (scheduling.md §7) also when the ending does not list them. A lease recovered after a restart and ended as
     * {@code coordinator_failover} lists none, though some of its subtests got verdicts before the crash; re-queued,
     * they would run again and their second verdicts be refused.
     */
    JobWindow.EndLease withRecordedVerdicts(LeaseGrant grant, JobWindow.EndLease e) {
        Set<String> verdicts = new HashSet<>(e.verdictKeys());
        for (Job j : grant.jobs()) {
            if (!verdicts.contains(j.resultKey()) && index.hasVerdict(j.key().commit(), j.resultKey())) {
                verdicts.add(j.resultKey());
            }
        }
        return verdicts.size() == e.verdictKeys().size() ? e : new JobWindow.EndLease(e.leaseId(), e.outcome(),
                e.reason(), e.unreached(), Set.copyOf(verdicts), e.declaredArch(), e.downId());
    }

    /** The events that end {@code grant}; {@code hosts} tracks host health within one journal write. */
    List<WindowEvent> events(WindowState state, LeaseGrant grant, JobWindow.EndLease e, LeaseOutcome o,
                             Map<String, HostHealth> hosts, long now) {
        SchedulerSettings s = settings.get();
        boolean hostFailure = o.hostFailure() && (e.downId().isEmpty() || countedDowns.add(e.downId()));
        List<WindowEvent> events = new ArrayList<>();
        events.add(new WindowEvent.LeaseEnded(e.leaseId(), e.reason().wireName(), o.requeued(), o.failedToRun(), o.counted(),
                hostFailure, o.hostSuccess(), now));
        if (e.outcome() == LeaseEndKind.ARCH_MISMATCH && !e.declaredArch().isEmpty()) {
            long mtime = source.listingMtime(grant.first().key().test());
            events.add(new ConstraintLearned(grant.first().key().test(), mtime, e.declaredArch(), now));
        }
        HostHealth h = hosts.getOrDefault(grant.host(), state.health(grant.host()));
        HostHealth next = hostFailure ? h.failed() : o.hostSuccess() ? h.succeeded() : h;
        if (hostFailure && h.consecutive() + 1 >= s.quarantineAfter() && !h.quarantinedAt(now)) {
            long length = Math.min(s.quarantineBackoff().toMillis() << Math.min(h.level(), 30),
                    s.quarantineBackoffMax().toMillis());
            events.add(new HostQuarantined(grant.host(), now + length, h.level() + 1, "failures", now));
            next = next.quarantined(now + length, h.level() + 1, s.quarantineAfter());
        }
        hosts.put(grant.host(), next);
        return events;
    }

    /** {@code g} as the {@code lease} SSE event shows it. */
    static LiveEvents.Lease live(LeaseGrant g) {
        return new LiveEvents.Lease(g.leaseId(), g.epoch(), g.host(), g.slot(), g.commit(), g.first().key().test(),
                g.jobs().stream().map(j -> j.key().subtest()).toList());
    }

    /** The SSE {@code lease} event name of a lease end (http.md §7). */
    static String leaseEvent(JobWindow.EndLease e) {
        return switch (e.reason()) {
            case LEASE_TIMEOUT, MEMBER_DOWN, DISPATCH_TIMEOUT, COORDINATOR_FAILOVER -> "expired";
            case ADMIN_REVOKE -> "revoked";
            default -> e.outcome() == LeaseEndKind.REFUSED ? "rejected" : "finished";
        };
    }

    /** What follows once the lease's end ({@code events}) is in the journal. */
    void ended(LeaseGrant grant, JobWindow.EndLease e, LeaseOutcome o, List<WindowEvent> events) {
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
            window.tell(new JobWindow.RequestRefill("failures"));
        }
        List<String> release = new ArrayList<>();
        Map<String, String> reasons = new HashMap<>();
        for (Job j : grant.jobs()) {
            if (o.requeued().contains(j.key())) {
                release.add(j.resultKey());
                reasons.put(j.resultKey(), o.reasonOf(j.key()));
                queue.queued(j.key(), now);
            }
        }
        if (!release.isEmpty()) {
            results.tell(new ResultsStore.Release(grant.commit(), release, grant.leaseId(), e.reason().wireName(),
                    reasons));
        }
        o.counted().forEach(k -> metrics.infraFailures.labelValues(o.reasonOf(k)).inc());
        metrics.leasesEnded.labelValues(e.reason().wireName()).inc();
        live.lease(live(grant), leaseEvent(e), e.reason().wireName(), now);
        log.info("lease ended: lease={} outcome={} reason={} verdicts={} requeued={} failed_to_run={}",
                e.leaseId(), e.outcome(), e.reason(), o.decided().size(), o.requeued().size(), o.failedToRun().size());
        for (WindowEvent ev : events) {
            if (ev instanceof HostQuarantined q) {
                metrics.hostQuarantines.labelValues(q.host()).inc();
                live.host(q.host(), "quarantined", q.until());
                log.warn("host quarantined: host={} until={} level={} (consecutive infrastructure failures)",
                        q.host(), Instant.ofEpochMilli(q.until()), q.level());
                QuarantineTimers.start(timers, q.host(), q.until() - now);
            } else if (ev instanceof ConstraintLearned c) {
                log.info("arch constraint learned: test={} arch={}", c.test(), c.arch());
            }
        }
    }
}
