package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.lib.Repository;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.results.ResultsIndex;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** The production {@link RefillSource}: branches from config, history from git, verdicts from the index. */
public final class GitRefillSource implements RefillSource {
    private final String user;
    private final List<BranchSpec> branches;
    private final Repositories repos;
    private final SubtestListingCache listings;
    private final ResultsIndex index;
    private final DurationCosts costs;
    private final int keepResultsCommits;

    public GitRefillSource(String user, List<BranchSpec> branches, Repositories repos, SubtestListingCache listings,
                           ResultsIndex index, DurationCosts costs, int keepResultsCommits) {
        this.user = user;
        this.branches = List.copyOf(branches);
        this.repos = repos;
        this.listings = listings;
        this.index = index;
        this.costs = costs;
        this.keepResultsCommits = keepResultsCommits;
    }

    @Override
    public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> archesWithSlots, int window,
                                      Map<String, WindowState.Constraint> constraints) throws IOException {
        costs.refresh();
        return DesiredJobs.compute(new DesiredJobs.Inputs() {
            @Override
            public String user() {
                return user;
            }

            @Override
            public List<BranchSpec> branches() {
                return branches;
            }

            @Override
            public Repository repository(BranchSpec branch) throws IOException {
                return repos.get(branch.repoPath());
            }

            @Override
            public Optional<List<String>> subtests(String test) {
                return listings.subtests(test);
            }

            @Override
            public boolean hasVerdict(String commit, String resultKey) {
                return index.hasVerdict(commit, resultKey);
            }

            @Override
            public boolean isLeased(JobKey key) {
                return excluded.test(key);
            }

            @Override
            public Set<String> archesWithSlots() {
                return archesWithSlots;
            }

            @Override
            public int costOf(String resultKey) {
                return costs.cost(resultKey);
            }

            @Override
            public int keepResultsCommits() {
                return keepResultsCommits;
            }

            @Override
            public Optional<String> archConstraint(String test) {
                WindowState.Constraint c = constraints.get(test);
                return c != null && c.listingMtime() == listings.listingMtime(test) ? Optional.of(c.arch())
                        : Optional.empty();
            }
        }, window);
    }

    @Override
    public long listingMtime(String test) {
        return listings.listingMtime(test);
    }
}
