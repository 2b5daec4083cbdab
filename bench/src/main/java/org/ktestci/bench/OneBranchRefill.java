package org.ktestci.bench;

import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.ArchConstraint;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.WindowPlanner;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What a bench's refill sees: one branch whose history (newest first) and listing the bench makes up, the real
 * window planner, and the verdicts the real results index recorded. No git, no listing runs.
 */
final class OneBranchRefill implements RefillSource {
    private final WindowPlanner planner = new WindowPlanner();
    private final BranchSpec branch;
    private final Supplier<List<String>> history;
    private final List<String> subtests;
    private final ResultsIndex index;
    private final ToIntFunction<String> cost;
    private final int keepResultsCommits;

    /** @param history read at each refill: a bench may add commits as it runs */
    OneBranchRefill(BranchSpec branch, Supplier<List<String>> history, List<String> subtests, ResultsIndex index,
                    ToIntFunction<String> cost, int keepResultsCommits) {
        this.branch = branch;
        this.history = history;
        this.subtests = subtests;
        this.index = index;
        this.cost = cost;
        this.keepResultsCommits = keepResultsCommits;
    }

    @Override
    public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> arches, int window,
                                      Map<String, ArchConstraint> constraints, Set<String> pending)
            throws IOException {
        List<String> h = history.get();
        return planner.compute(new WindowPlanner.Inputs() {
            public List<BranchSpec> branches() {
                return List.of(branch);
            }

            public Optional<List<String>> history(BranchSpec x, int depth) {
                return Optional.of(h.subList(0, Math.min(depth, h.size())));
            }

            public Optional<List<String>> subtests(String test) {
                return Optional.of(subtests);
            }

            public boolean hasVerdict(String commit, String key) {
                return index.hasVerdict(commit, key);
            }

            public boolean isLeased(JobKey key) {
                return excluded.test(key);
            }

            public Set<String> archesWithSlots() {
                return arches;
            }

            public int costOf(String key) {
                return cost.applyAsInt(key);
            }

            public int keepResultsCommits() {
                return keepResultsCommits;
            }

            public Optional<Set<String>> failures(String commit) {
                return index.failures(commit);
            }
        }, window, pending);
    }
}
