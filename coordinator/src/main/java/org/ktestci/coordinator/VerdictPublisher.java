package org.ktestci.coordinator;

import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.live.VerdictLatency;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ProjectionListener;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.status.Status;

import java.util.List;

/**
 * After the projection wrote a commit's files: the SSE verdict events (so what a viewer fetches next is there),
 * the verdict → visible latency, and the commit's seen → first verdict time.
 */
final class VerdictPublisher implements ProjectionListener {
    private final LiveEvents events;
    private final VerdictLatency latency;
    private final CommitClock clock;
    private final CoordinatorMetrics metrics;

    VerdictPublisher(LiveEvents events, VerdictLatency latency, CommitClock clock, CoordinatorMetrics metrics) {
        this.events = events;
        this.latency = latency;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void rendered(String sha, List<ResultRecord> changed) {
        long now = System.currentTimeMillis();
        for (ResultRecord r : changed) {
            if (r.hasVerdict() || r.status() == Status.UNKNOWN) {
                latency.visible(sha, r.key(), now).ifPresent(ms -> metrics.verdictVisible.observe(ms / 1000.0));
                clock.firstVerdict(sha, now).ifPresent(ms -> metrics.commitFirstVerdict.observe(ms / 1000.0));
                events.verdict(sha, r);
            }
        }
    }
}
