package org.ktestci.coordinator;

import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.branches.TrackedCommits;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.schema.results.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * What the coordinator learns from each branch fetch, on the singleton's watcher and a standby node's alike:
 * fetch counters, the first-seen time of a new tip (the commit → first verdict latency starts there), and the
 * branch's untested commits after its fetch.
 */
public final class FetchObserver implements BranchWatcher.Observer {
    private static final Logger LOG = LoggerFactory.getLogger(FetchObserver.class);

    private final CoordinatorMetrics metrics;
    private final CommitClock clock;
    private final TrackedCommits tracked;
    private final OutputDir outputDir;

    public FetchObserver(CoordinatorMetrics metrics, CommitClock clock, TrackedCommits tracked, OutputDir outputDir) {
        this.metrics = metrics;
        this.clock = clock;
        this.tracked = tracked;
        this.outputDir = outputDir;
    }

    @Override
    public void fetched(String branch, boolean ok) {
        metrics.fetches.labelValues(branch, ok ? "ok" : "error").inc();
    }

    @Override
    public void tipSeen(String sha, long atMillis) {
        clock.seenAtTip(sha, atMillis);
    }

    @Override
    public void afterFetch(BranchSpec b) {
        try {
            metrics.untestedCommits.labelValues(b.name()).set(tracked.untested(b, outputDir));
        } catch (IOException e) {
            LOG.warn("cannot count untested commits: branch={}: {}", b.name(), e.getMessage());
        }
    }
}
