package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the {@link JobWindow} tells about its queue: the {@code queue} SSE event (at most every 5 s, http.md §7),
 * the gauges, the queue summary of {@code /api/v1/queue}, and how long each job waited before its lease.
 * Owned by the window's actor; never touched off its thread.
 */
final class QueueReporting {
    static final long QUEUE_EVENT_MILLIS = 5000;

    private final CoordinatorMetrics metrics;
    private final LiveEvents live;
    private final FairShare fairShare;
    private final TimerScheduler<JobWindow.Command> timers;
    private final Supplier<SchedulerSettings> settings;
    /** When each pending job (by {@link #queueKey}) entered the queue. */
    private final Map<String, Long> queuedAt = new HashMap<>();
    private long lastQueueEvent;
    private boolean queueEventTimer;
    private Map<String, Integer> unschedulable = Map.of();
    private JobWindow.LastRefill lastRefill;

    QueueReporting(CoordinatorMetrics metrics, LiveEvents live, FairShare fairShare,
                   TimerScheduler<JobWindow.Command> timers, Supplier<SchedulerSettings> settings) {
        this.metrics = metrics;
        this.live = live;
        this.fairShare = fairShare;
        this.timers = timers;
        this.settings = settings;
    }

    void queued(JobKey k, long now) {
        queuedAt.put(queueKey(k), now);
    }

    void dropped(JobKey k) {
        queuedAt.remove(queueKey(k));
    }

    /** {@code k} was leased at {@code at}: its time in the queue is observed. */
    void leased(JobKey k, long at) {
        Long q = queuedAt.remove(queueKey(k));
        if (q != null) {
            metrics.queueWait.observe((at - q) / 1000.0);
        }
    }

    void refilled(JobWindow.LastRefill refill, Map<String, Integer> unschedulableByArch) {
        lastRefill = refill;
        unschedulable = unschedulableByArch;
    }

    JobWindow.QueueSummary summary(WindowState state, boolean refilling, int parked) {
        long now = System.currentTimeMillis();
        List<String> quarantined = state.hosts.entrySet().stream().filter(e -> e.getValue().quarantinedAt(now))
                .map(Map.Entry::getKey).sorted().toList();
        Map<String, Integer> leasedByBranch = new LinkedHashMap<>();
        for (LeaseGrant g : state.leases.values()) {
            g.jobs().forEach(j -> leasedByBranch.merge(j.branch(), 1, Integer::sum));
        }
        return new JobWindow.QueueSummary(settings.get().window(), settings.get().refillAt(), state.pending.size(),
                state.leasedKeys.size(), pendingByBranch(state), leasedByBranch, fairShare.standings(now),
                unschedulable, lastRefill, quarantined, refilling, parked);
    }

    /** The state changed: gauges now, the queue event now or when the 5 s since the last one are over. */
    void changed(WindowState state) {
        long now = System.currentTimeMillis();
        if (now - lastQueueEvent >= QUEUE_EVENT_MILLIS) {
            publish(state);
        } else if (!queueEventTimer) {
            queueEventTimer = true;
            timers.startSingleTimer("queue-event", new JobWindow.QueueEventDue(),
                    Duration.ofMillis(QUEUE_EVENT_MILLIS - (now - lastQueueEvent)));
        }
        metrics.fairShareUsage.clear();
        fairShare.standings(now).forEach((b, u) -> metrics.fairShareUsage.labelValues(b).set(u));
        metrics.windowPending.set(state.pending.size());
        metrics.windowLeased.set(state.leasedKeys.size());
        metrics.pendingJobs.clear();
        state.pending.branches().forEach(b -> metrics.pendingJobs.labelValues(b).set(state.pending.countForBranch(b)));
        metrics.unschedulable.clear();
        unschedulable.forEach((arch, n) -> metrics.unschedulable.labelValues(arch).set(n));
    }

    /** The throttled queue event is due. */
    void due(WindowState state) {
        queueEventTimer = false;
        publish(state);
    }

    private void publish(WindowState state) {
        lastQueueEvent = System.currentTimeMillis();
        live.queue(state.pending.size(), state.leasedKeys.size(), pendingByBranch(state));
    }

    private static Map<String, Integer> pendingByBranch(WindowState state) {
        Map<String, Integer> byBranch = new LinkedHashMap<>();
        state.pending.branches().forEach(b -> byBranch.put(b, state.pending.countForBranch(b)));
        return byBranch;
    }

    private static String queueKey(JobKey k) {
        return k.commit() + "\0" + k.test() + "\0" + k.subtest() + "\0" + k.kernel() + "\0" + k.env() + "\0" + k.archId();
    }
}
