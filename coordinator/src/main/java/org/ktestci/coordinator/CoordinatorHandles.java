package org.ktestci.coordinator;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.maintenance.Maintenance;
import org.ktestci.coordinator.regressions.KnownIssueStore;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.execution.WorkerGateway;

import java.util.Optional;

/**
 * The running singleton's actors, published for this node's queries (dashboard, admin API). Empty while the
 * singleton is starting or runs on another node; the dashboard then answers 503 for live data.
 */
public final class CoordinatorHandles {
    public record Refs(ActorRef<JobWindow.Command> window, ActorRef<WorkerGateway.Command> gateway,
                       ActorRef<ResultsStore.Command> results, ActorRef<BranchWatcher.Command> watcher,
                       ActorRef<Maintenance.Command> maintenance, int incarnation,
                       ActorRef<KnownIssueStore.Command> knownIssues) {}

    private volatile Refs refs;

    void publish(Refs r) {
        refs = r;
    }

    void clear(Refs r) {
        if (refs == r) {
            refs = null;
        }
    }

    public Optional<Refs> get() {
        return Optional.ofNullable(refs);
    }
}
