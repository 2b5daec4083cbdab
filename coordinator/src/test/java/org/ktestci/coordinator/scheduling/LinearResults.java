package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What flake re-runs and searches read, from the results alone: branch main walks c0 (tip) .. c(n-1) linearly;
 * group g runs t.ktest's subtests a and b on x86_64 at its newest {@code maxCommits} commits, each costing 10.
 * A test sets verdicts, leased jobs and the arches with slots.
 */
class LinearResults implements FlakeReruns.Inputs {
    final List<String> walk = new ArrayList<>();
    final Map<String, Map<String, ResultRecord>> results = new HashMap<>();
    final Set<JobKey> excluded = new HashSet<>();
    Set<String> arches = Set.of("x86_64");
    private final int maxCommits;
    private final int keepResultsCommits;

    LinearResults(int commits, int maxCommits, int keepResultsCommits) {
        for (int i = 0; i < commits; i++) {
            walk.add("c" + i);
        }
        this.maxCommits = maxCommits;
        this.keepResultsCommits = keepResultsCommits;
    }

    /** The verdict of {@code key} at {@code commit} (host h1), with re-runs of these statuses (host h2). */
    void verdict(String commit, String key, Status status, Status... reruns) {
        ResultRecord r = new ResultRecord(key, status, "", 1, 1, "L-" + commit, "h1", 0, "x86_64", 1, "", "", "");
        for (int i = 0; i < reruns.length; i++) {
            r = r.withObservation(new Observation(i + 1, reruns[i], "", 1, "h2", 0, "R" + i, 1));
        }
        results.computeIfAbsent(commit, c -> new HashMap<>()).put(key, r);
    }

    @Override
    public List<BranchSpec> branches() {
        GroupSpec g = new GroupSpec("g", List.of("t.ktest"), maxCommits, 0, List.of(), new TreeMap<>(),
                List.of("x86_64"));
        return List.of(new BranchSpec("main", "linux", Path.of("repo"), "", "https://git.example.org/linux",
                "main", List.of(g)));
    }

    @Override
    public Optional<List<String>> history(BranchSpec branch, int depth) {
        return Optional.of(walk.subList(0, Math.min(depth, walk.size())));
    }

    @Override
    public Optional<List<String>> subtests(String test) {
        return Optional.of(List.of("a", "b"));
    }

    @Override
    public Optional<String> archConstraint(String test) {
        return Optional.empty();
    }

    @Override
    public int costOf(String resultKey) {
        return 10;
    }

    @Override
    public int keepResultsCommits() {
        return keepResultsCommits;
    }

    @Override
    public Map<String, ResultRecord> results(String commit) {
        return results.getOrDefault(commit, Map.of());
    }

    @Override
    public boolean excluded(JobKey key) {
        return excluded.contains(key);
    }

    @Override
    public Set<String> archesWithSlots() {
        return arches;
    }
}
