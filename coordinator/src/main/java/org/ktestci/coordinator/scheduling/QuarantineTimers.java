package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;

/**
 * The {@link JobWindow}'s timer that ends a host's quarantine. Pekko's scheduler takes no delay beyond about 248
 * days, and a longer one threw inside the window (an admin quarantine of a year, or one recovered from the journal,
 * would crash it in a loop); such a timer fires at that limit and is set again for the rest.
 */
final class QuarantineTimers {
    /** Below the scheduler's maximum delay (2^31 ticks of 10 ms). */
    static final long MAX_DELAY_MILLIS = 200L * 24 * 3600 * 1000;

    private QuarantineTimers() {
    }

    static void start(TimerScheduler<JobWindow.Command> timers, String host, long delayMillis) {
        timers.startSingleTimer(key(host), new JobWindow.QuarantineOver(host),
                Duration.ofMillis(Math.min(Math.max(0, delayMillis), MAX_DELAY_MILLIS)));
    }

    /** After recovery: a timer for every quarantine still running. */
    static void recovered(TimerScheduler<JobWindow.Command> timers, WindowState state, long now) {
        state.hosts.forEach((host, h) -> {
            if (h.quarantinedAt(now)) {
                start(timers, host, h.until() - now);
            }
        });
    }

    static void cancel(TimerScheduler<JobWindow.Command> timers, String host) {
        timers.cancel(key(host));
    }

    private static String key(String host) {
        return "quarantine-" + host;
    }
}
