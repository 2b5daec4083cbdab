package org.ktestci.coordinator.scheduling;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * One wanted subtest run: its identity, the result key it produces, where its commit comes from, and what
 * orders it ({@code weight} = commit age + group {@code priority}; lower runs first; scheduling.md §3–§4).
 * {@code avoidHost}: a re-run (issue 14) goes to another host than the first verdict's where one is up; {@code ""}
 * for every other job (and in journals of earlier versions). {@code recentFailure}: the job's group has
 * {@code order = "failures_first"} and its key failed on one of the owning branch's last tested commits, so it goes
 * first within its commit (scheduling.md §3 step 5; false in journals of earlier versions).
 */
public record Job(JobKey key, String resultKey, String basename, SortedMap<String, String> env, String repo,
                  List<Source> sources, int weight, int priority, String branch, String group, int cost,
                  Set<String> allowedArches, int listingIndex, String avoidHost, boolean recentFailure) {

    public Job {
        avoidHost = avoidHost == null ? "" : avoidHost;
    }

    public Job(JobKey key, String resultKey, String basename, SortedMap<String, String> env, String repo,
               List<Source> sources, int weight, int priority, String branch, String group, int cost,
               Set<String> allowedArches, int listingIndex) {
        this(key, resultKey, basename, env, repo, sources, weight, priority, branch, group, cost, allowedArches,
                listingIndex, "", false);
    }

    public Job withRecentFailure(boolean failed) {
        return new Job(key, resultKey, basename, env, repo, sources, weight, priority, branch, group, cost,
                allowedArches, listingIndex, avoidHost, failed);
    }

    /** Re-run {@code n} of this job's key at {@code weight}, away from {@code host} where possible. */
    public Job asObservation(int n, int weight, String host) {
        return new Job(key.observation(n), resultKey, basename, env, repo, sources, weight, priority, branch, group,
                cost, allowedArches, listingIndex, host, recentFailure);
    }

    /** Jobs with equal batch keys may share one batch (scheduling.md §1.3). */
    public record BatchKey(String commit, String test, String kernel, String env, String archId) {
    }

    public BatchKey batchKey() {
        return new BatchKey(key.commit(), key.test(), key.kernel(), key.env(), key.archId());
    }

    public Job withAllowedArches(Set<String> arches) {
        return new Job(key, resultKey, basename, env, repo, sources, weight, priority, branch, group, cost,
                Set.copyOf(arches), listingIndex, avoidHost, recentFailure);
    }

    public Job withSources(List<Source> merged) {
        return new Job(key, resultKey, basename, env, repo, merged, weight, priority, branch, group, cost,
                allowedArches, listingIndex, avoidHost, recentFailure);
    }
}
