package org.ktestci.coordinator;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.execution.ArtifactStore;
import org.ktestci.coordinator.execution.WorkerGateway;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.GitRefillSource;
import org.ktestci.coordinator.scheduling.JobWindow;

/**
 * The coordinator singleton (README "Cluster and actors"): results, projection, scheduling, branch watching
 * and the worker gateway, all under one parent so a standby node can take the whole of it over.
 */
public final class CoordinatorRoot {
    /** The singleton takes no messages of its own; its children are reached through the Receptionist. */
    public interface Command {}

    private CoordinatorRoot() {
    }

    public static Behavior<Command> create(CoordinatorSetup s) {
        return Behaviors.setup(ctx -> {
            DispatcherSelector blocking = DispatcherSelector.blocking();
            ActorRef<ResultsProjector.Command> projector =
                    ctx.spawn(ResultsProjector.create(s.outputDir(), s.messages()), "results-projector", blocking);
            ActorRef<ResultsStore.Command> results =
                    ctx.spawn(ResultsStore.create(s.recovered(), s.index(), projector), "results-store");
            ActorRef<ArtifactStore.Command> artifacts =
                    ctx.spawn(ArtifactStore.create(s.outputDir()), "artifact-store", blocking);
            GitRefillSource source = new GitRefillSource(s.user(), s.branches(), s.repos(), s.listings(), s.index(),
                    s.settings().subtestDurationDef());
            ActorRef<JobWindow.Command> window =
                    ctx.spawn(JobWindow.create(s.settings(), source, results), "job-window");
            ctx.spawn(BranchWatcher.create(s.user(), s.branches(), s.repos(), s.fetchStatus(), window,
                    s.fetchInterval()), "branch-watcher");
            ctx.spawn(WorkerGateway.create(s.hostConfig(), window, results, artifacts, s.settings()), "worker-gateway");
            ctx.getLog().info("coordinator started: branches={} output_dir={}", s.branches().size(),
                    s.outputDir().root());
            return Behaviors.empty();
        });
    }
}
