package org.ktestci.coordinator;

import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.execution.HostSlots;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.CommitMessages;
import org.ktestci.coordinator.results.ProjectionListener;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DurationCosts;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** Everything the coordinator singleton is built from, resolved from the config before the actors start. */
public record CoordinatorSetup(String user, List<BranchSpec> branches, OutputDir outputDir, SchedulerSettings settings,
                               Duration fetchInterval, Function<String, HostSlots> hostConfig,
                               List<String> configuredHosts, Repositories repos, BranchFetchStatus fetchStatus,
                               ResultsIndex index, SubtestListingCache listings, DurationCosts costs,
                               CommitMessages messages, CoordinatorMetrics metrics, ProjectionListener listener,
                               CoordinatorHandles handles, PersistenceConfig persistence, Duration gcGrace,
                               Duration maintenanceInterval) {
}
