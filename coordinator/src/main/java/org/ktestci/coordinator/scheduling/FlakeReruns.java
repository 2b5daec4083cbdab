package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The re-runs of new failures (issue 14 item 4), computed at each refill from the results as they are, so they
 * survive restarts without state of their own. A key whose first verdict at a commit within its group's
 * {@code max_commits} is Failed, where the nearest older commit of the branch with a verdict for it passed (or
 * failed only flakily, or there is none), is re-run: re-run n + 1 once re-runs 1..n all failed, up to
 * {@code flake_retries}; none once one passed (the result is flaky). Each re-run is a job of its own identity
 * ({@link JobKey#observation()}) at weight {@code weight} (the lowest of the window minus one, so it goes first),
 * preferring another host than the first verdict's.
 */
final class FlakeReruns {
    /** What the computation reads; may block (git walks, listings). */
    interface Inputs {
        List<BranchSpec> branches();

        Optional<List<String>> history(BranchSpec branch, int depth) throws IOException;

        Optional<List<String>> subtests(String test);

        Optional<String> archConstraint(String test);

        int costOf(String resultKey);

        int keepResultsCommits();

        Map<String, ResultRecord> results(String commit);

        /** Leased, or decided with the index maybe not showing it yet. */
        boolean excluded(JobKey key);

        Set<String> archesWithSlots();
    }

    private FlakeReruns() {
    }

    static List<Job> compute(Inputs in, int retries, int weight) throws IOException {
        if (retries <= 0) {
            return List.of();
        }
        Map<JobKey, Job> out = new LinkedHashMap<>();
        Map<String, GroupMatrix> matrices = new HashMap<>();
        Set<String> arches = in.archesWithSlots();
        for (BranchSpec branch : in.branches()) {
            int depth = branch.groups().stream().mapToInt(GroupSpec::maxCommits).max().orElse(0);
            Optional<List<String>> walked = in.history(branch, Math.max(depth, in.keepResultsCommits()));
            if (walked.isEmpty()) {
                continue;
            }
            List<String> commits = walked.get();
            for (GroupSpec g : branch.groups()) {
                GroupMatrix m = matrices.computeIfAbsent(g.name(),
                        n -> GroupMatrix.build(g, in::subtests, in::archConstraint, in::costOf));
                for (int age = 0; age < Math.min(g.maxCommits(), commits.size()); age++) {
                    String sha = commits.get(age);
                    for (ResultRecord r : in.results(sha).values()) {
                        if (r.status() != Status.FAILED || Observation.flaky(r.status(), r.observations())) {
                            continue;
                        }
                        int n = r.observations().size() + 1;
                        GroupMatrix.Entry e = m.entryFor(r.key());
                        if (n > retries || e == null || e.allowed().stream().noneMatch(arches::contains)) {
                            continue;
                        }
                        JobKey key = e.keyAt(sha).observation(n);
                        if (out.containsKey(key) || in.excluded(key) || !isNew(in, commits, age, r.key())) {
                            continue;
                        }
                        out.put(key, m.job(e, sha, age, branch.name(), branch.repoName())
                                .withSources(List.of(new Source(branch.fetchUrl(), branch.fetchRef())))
                                .asObservation(n, weight, r.host()));
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /**
     * Whether {@code key}'s failure at {@code commits[age]} is new: the nearest older commit of the walk with a
     * verdict for it did not fail, or failed but was flaky, or there is none.
     */
    static boolean isNew(Inputs in, List<String> commits, int age, String key) {
        for (int i = age + 1; i < commits.size(); i++) {
            ResultRecord older = in.results(commits.get(i)).get(key);
            if (older != null && older.hasVerdict()) {
                return older.status() != Status.FAILED || Observation.flaky(older.status(), older.observations());
            }
        }
        return true;
    }
}
