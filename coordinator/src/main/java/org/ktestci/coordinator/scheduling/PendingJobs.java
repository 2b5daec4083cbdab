package org.ktestci.coordinator.scheduling;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The pending jobs in window order (scheduling.md §3 step 5), indexed the ways a claim needs them: overall, per
 * owning branch (fair-share seed selection) and per batch key (packing), so a claim costs the jobs it looks at,
 * not the window's size.
 */
final class PendingJobs {
    private final NavigableSet<Job> ordered = new TreeSet<>(JobOrder.WINDOW_TOTAL);
    private final Map<JobKey, Job> byKey = new HashMap<>();
    private final Map<String, NavigableSet<Job>> byBranch = new HashMap<>();
    private final Map<Job.BatchKey, NavigableSet<Job>> byBatch = new HashMap<>();
    /** Estimated seconds pending per (weight, commit): what the adaptive batch budget divides. */
    private final Map<String, Long> costByCommit = new HashMap<>();

    private static String commitLevel(Job j) {
        return j.weight() + "\0" + j.key().commit();
    }

    int size() {
        return byKey.size();
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    boolean contains(JobKey key) {
        return byKey.containsKey(key);
    }

    Job get(JobKey key) {
        return byKey.get(key);
    }

    /** Adds or replaces the job with this key. */
    void put(Job j) {
        remove(j.key());
        byKey.put(j.key(), j);
        ordered.add(j);
        byBranch.computeIfAbsent(j.branch(), b -> new TreeSet<>(JobOrder.WINDOW_TOTAL)).add(j);
        byBatch.computeIfAbsent(j.batchKey(), b -> new TreeSet<>(JobOrder.WINDOW_TOTAL)).add(j);
        costByCommit.merge(commitLevel(j), (long) j.cost(), Long::sum);
    }

    Job remove(JobKey key) {
        Job j = byKey.remove(key);
        if (j == null) {
            return null;
        }
        ordered.remove(j);
        removeFrom(byBranch, j.branch(), j);
        removeFrom(byBatch, j.batchKey(), j);
        costByCommit.computeIfPresent(commitLevel(j), (k, v) -> v == j.cost() ? null : v - j.cost());
        return j;
    }

    private static <K> void removeFrom(Map<K, NavigableSet<Job>> index, K k, Job j) {
        NavigableSet<Job> s = index.get(k);
        if (s != null) {
            s.remove(j);
            if (s.isEmpty()) {
                index.remove(k);
            }
        }
    }

    /** Every pending job in window order. */
    Collection<Job> inOrder() {
        return ordered;
    }

    Set<JobKey> keys() {
        return byKey.keySet();
    }

    /** The owning branches that have pending jobs. */
    Set<String> branches() {
        return byBranch.keySet();
    }

    /** The first job of {@code branch} in window order that passes {@code eligible}, or null. */
    Job firstEligible(String branch, Predicate<Job> eligible) {
        NavigableSet<Job> s = byBranch.get(branch);
        if (s != null) {
            for (Job j : s) {
                if (eligible.test(j)) {
                    return j;
                }
            }
        }
        return null;
    }

    /** The first job in window order that passes {@code eligible}, or null. */
    Job firstEligible(Predicate<Job> eligible) {
        for (Job j : ordered) {
            if (eligible.test(j)) {
                return j;
            }
        }
        return null;
    }

    /** Pending jobs sharing the batch key of {@code seed}, in window order (the seed included). */
    List<Job> sameBatch(Job seed) {
        NavigableSet<Job> s = byBatch.get(seed.batchKey());
        return s == null ? List.of() : new ArrayList<>(s);
    }

    /** Estimated seconds of the pending jobs with {@code j}'s weight and commit ({@code j} included if pending). */
    long costOfCommit(Job j) {
        return costByCommit.getOrDefault(commitLevel(j), 0L);
    }

    /**
     * Whether every wanted job of {@code j}'s commit (at its weight) is pending: the window holds a job ranked after
     * them, so the refill did not cut the commit off.
     */
    boolean wholeCommitPending(Job j) {
        if (ordered.isEmpty()) {
            return false;
        }
        Job last = ordered.last();
        return last.weight() != j.weight() || !last.key().commit().equals(j.key().commit());
    }

    int countForBranch(String branch) {
        NavigableSet<Job> s = byBranch.get(branch);
        return s == null ? 0 : s.size();
    }
}
