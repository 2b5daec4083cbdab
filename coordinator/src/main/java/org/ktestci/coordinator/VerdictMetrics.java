package org.ktestci.coordinator;

import org.ktestci.coordinator.live.RecentVerdicts;
import org.ktestci.coordinator.live.VerdictLatency;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.VerdictListener;
import org.ktestci.schema.status.Status;

/**
 * What the results store tells the node about verdicts it records: the counters, the last hour's verdicts on the
 * status page, and the receive time the verdict → visible latency starts from.
 */
final class VerdictMetrics implements VerdictListener {
    private final CoordinatorMetrics metrics;
    private final RecentVerdicts recent;
    private final VerdictLatency latency;

    VerdictMetrics(CoordinatorMetrics metrics, RecentVerdicts recent, VerdictLatency latency) {
        this.metrics = metrics;
        this.recent = recent;
        this.latency = latency;
    }

    @Override
    public void recorded(Status status) {
        metrics.verdicts.labelValues(status.jsonCode()).inc();
        recent.recorded(status, System.currentTimeMillis());
    }

    @Override
    public void recorded(String sha, String key, Status status, long receivedAtMillis) {
        latency.received(sha, key, receivedAtMillis);
    }

    @Override
    public void duplicate() {
        metrics.duplicateVerdicts.inc();
    }

    @Override
    public void quarantined(int count) {
        metrics.journalQuarantined.set(count);
    }
}
