package org.ktestci.coordinator.scheduling;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * One wanted subtest run: its identity, the result key it produces, where its commit comes from, and what
 * orders it ({@code weight} = commit age + group {@code priority}; lower runs first; scheduling.md §3–§4).
 */
public record Job(JobKey key, String resultKey, String basename, SortedMap<String, String> env, String repo,
                  List<Source> sources, int weight, int priority, String branch, String group, int cost,
                  Set<String> allowedArches, int listingIndex) {

    /** Jobs with equal batch keys may share one batch (scheduling.md §1.3). */
    public record BatchKey(String commit, String test, String kernel, String env, String archId) {
    }

    public BatchKey batchKey() {
        return new BatchKey(key.commit(), key.test(), key.kernel(), key.env(), key.archId());
    }

    public Job withAllowedArches(Set<String> arches) {
        return new Job(key, resultKey, basename, env, repo, sources, weight, priority, branch, group, cost,
                Set.copyOf(arches), listingIndex);
    }

    public Job withSources(List<Source> merged) {
        return new Job(key, resultKey, basename, env, repo, merged, weight, priority, branch, group, cost,
                allowedArches, listingIndex);
    }
}
