package org.ktestci.coordinator.scheduling;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-branch usage U_b in estimated seconds dispatched, decayed with a half-life (scheduling.md §5). Not
 * persisted: it starts at 0 for every branch after a restart or failover, as the spec says.
 */
final class FairShare {
    private double halfLifeMillis;
    private final Map<String, Double> usage = new HashMap<>();
    private long decayedAt;

    FairShare(long halfLifeMillis) {
        this.halfLifeMillis = halfLifeMillis;
    }

    /** A config reload changed fair_share_half_life; usage so far is kept. */
    void halfLife(long millis) {
        halfLifeMillis = millis;
    }

    boolean enabled() {
        return halfLifeMillis > 0;
    }

    /** U_b after decaying everything to {@code now}. */
    double usage(String branch, long now) {
        decay(now);
        return usage.getOrDefault(branch, 0.0);
    }

    void charge(String branch, long seconds, long now) {
        decay(now);
        usage.merge(branch, (double) seconds, Double::sum);
    }

    Map<String, Double> standings(long now) {
        decay(now);
        return Map.copyOf(usage);
    }

    private void decay(long now) {
        if (decayedAt == 0 || !enabled()) {
            decayedAt = now;
            return;
        }
        long dt = now - decayedAt;
        if (dt > 0) {
            double f = Math.pow(2, -dt / halfLifeMillis);
            usage.replaceAll((b, u) -> u * f);
            decayedAt = now;
        }
    }

    /** score_b = U_b · max(0.1, 1 + priority of the branch's first eligible job). */
    static double score(double usage, int priority) {
        return usage * Math.max(0.1, 1 + priority);
    }
}
