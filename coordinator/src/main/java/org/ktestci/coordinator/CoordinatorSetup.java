package org.ktestci.coordinator;

import org.ktestci.coordinator.bisect.KnownFailureMask;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.branches.TrackedCommits;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.live.RecentVerdicts;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.notify.Notifier;
import org.ktestci.coordinator.results.CommitMessages;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DurationCosts;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;

import java.util.List;

/**
 * Everything the coordinator singleton is built from. What a config reload may change is read through
 * {@link #live()} at each use; the rest is fixed for the node's lifetime.
 */
public record CoordinatorSetup(String user, OutputDir outputDir, LiveConfig live, Repositories repos,
                               BranchFetchStatus fetchStatus, ResultsIndex index, SubtestListingCache listings,
                               DurationCosts costs, CommitMessages messages, CoordinatorMetrics metrics,
                               CoordinatorHandles handles, PersistenceConfig persistence, LiveEvents events,
                               CommitClock clock, RecentVerdicts recent, TrackedCommits tracked,
                               Notifier.Inputs notifier, KnownFailureMask knownFailures) {
    public List<BranchSpec> branches() {
        return live.branches();
    }

    public SchedulerSettings settings() {
        return live.settings();
    }

    /** Fetch counters, first-seen tips and untested commits: for the singleton's watcher and a standby's. */
    public BranchWatcher.Observer fetchObserver() {
        return new FetchObserver(metrics, clock, tracked, outputDir);
    }
}
