package org.ktestci.coordinator.scheduling;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code order = "failures_first"} puts first (scheduling.md §3 step 5): the result keys that failed on any of
 * the branch's last {@code failures_first_commits} tested commits. A commit is tested once it has any verdict; the
 * branch's commits are those of its walk to {@code keep_results_commits} (or its deepest {@code max_commits} if that
 * is deeper), newest first, so the set follows the branch as verdicts arrive. Flaky failures (a re-run passed) do
 * not count: they say nothing about a regression.
 */
final class RecentFailures {
    private RecentFailures() {
    }

    /** The keys to put first for {@code group} on a branch whose look-back walk is {@code commits}; empty otherwise. */
    static Set<String> of(DesiredJobs.Inputs in, GroupSpec group, List<String> commits) {
        if (!group.failuresFirst()) {
            return Set.of();
        }
        Set<String> failing = new HashSet<>();
        int tested = 0;
        for (int i = 0; i < commits.size() && tested < group.failuresFirstCommits(); i++) {
            Optional<Set<String>> f = in.failures(commits.get(i));
            if (f.isPresent()) {
                tested++;
                failing.addAll(f.get());
            }
        }
        return failing;
    }
}
