package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.scheduling.WindowEvent.HostQuarantined;
import org.ktestci.coordinator.scheduling.WindowEvent.HostReleased;
import org.slf4j.Logger;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@link JobWindow}'s admin quarantines and releases of hosts (scheduling.md §9), and the timer that ends a
 * quarantine; the quarantines that failures start are part of a lease's end ({@link LeaseEnding}).
 */
final class HostQuarantines {
    private final TimerScheduler<JobWindow.Command> timers;
    private final CoordinatorMetrics metrics;
    private final LiveEvents live;
    private final Supplier<Map<String, String>> upHosts;
    private final LeaseBatches batches;
    private final Logger log;

    HostQuarantines(TimerScheduler<JobWindow.Command> timers, CoordinatorMetrics metrics, LiveEvents live,
                    Supplier<Map<String, String>> upHosts, LeaseBatches batches, Logger log) {
        this.timers = timers;
        this.metrics = metrics;
        this.live = live;
        this.upHosts = upHosts;
        this.batches = batches;
        this.log = log;
    }

    Effect<WindowEvent, WindowState> quarantine(WindowState state, JobWindow.QuarantineHost q,
                                                EffectFactories<WindowEvent, WindowState> effects) {
        long now = System.currentTimeMillis();
        HostHealth h = state.health(q.host());
        HostQuarantined e = new HostQuarantined(q.host(), now + q.seconds() * 1000, h.level(), "admin", now);
        return effects.persist(e).thenRun(s -> {
            metrics.hostQuarantines.labelValues(q.host()).inc();
            log.warn("host quarantined by admin: host={} seconds={}", q.host(), q.seconds());
            live.host(q.host(), "quarantined", e.until());
            QuarantineTimers.start(timers, q.host(), q.seconds() * 1000);
            q.replyTo().tell(s.health(q.host()));
        });
    }

    /** A quarantine's timer fired; one longer than the timer's limit is set again for the rest. */
    Effect<WindowEvent, WindowState> over(WindowState state, JobWindow.QuarantineOver q,
                                          EffectFactories<WindowEvent, WindowState> effects) {
        long left = state.health(q.host()).until() - System.currentTimeMillis();
        if (left > 0) {
            QuarantineTimers.start(timers, q.host(), left);
            return effects.none();
        }
        return release(state, new JobWindow.ReleaseHost(q.host(), "timer", null), effects);
    }

    Effect<WindowEvent, WindowState> release(WindowState state, JobWindow.ReleaseHost r,
                                             EffectFactories<WindowEvent, WindowState> effects) {
        HostHealth h = state.health(r.host());
        if (h.until() == 0) {
            if (r.replyTo() != null) {
                r.replyTo().tell(h);
            }
            return effects.none();
        }
        return effects.persist(new HostReleased(r.host(), r.by(), System.currentTimeMillis())).thenRun(s -> {
            QuarantineTimers.cancel(timers, r.host());
            log.info("host released: host={} by={}", r.host(), r.by());
            live.host(r.host(), upHosts.get().containsKey(r.host()) ? "up" : "down", 0);
            if (r.replyTo() != null) {
                r.replyTo().tell(s.health(r.host()));
            }
            batches.serveParked();
        });
    }
}
