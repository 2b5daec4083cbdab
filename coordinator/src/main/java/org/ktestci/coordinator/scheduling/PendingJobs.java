package org.ktestci.coordinator.scheduling;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
 *
 * <p>A job can be <em>held</em>: promised to a claim of the journal write being prepared. It stays pending (its
 * {@code LeaseGranted} is not applied yet) but leaves the ordered indexes and the commit's cost, so the next claims
 * of the same write plan as if it were leased already, without scanning past it. Applying the grant removes it for
 * good.
 */
final class PendingJobs {
    private final NavigableSet<Job> ordered = new TreeSet<>(JobOrder.WINDOW_TOTAL);
    private final Map<JobKey, Job> byKey = new HashMap<>();
    private final Map<String, NavigableSet<Job>> byBranch = new HashMap<>();
    private final Map<Job.BatchKey, NavigableSet<Job>> byBatch = new HashMap<>();
    /** Estimated seconds pending per (weight, commit): what the adaptive batch budget divides. */
    private final Map<String, Long> costByCommit = new HashMap<>();
    /** Pending jobs promised to a claim of the write being prepared: in {@link #byKey} only. */
    private final Set<JobKey> held = new HashSet<>();

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
        index(j);
    }

    Job remove(JobKey key) {
        Job j = byKey.remove(key);
        if (j == null) {
            return null;
        }
        if (!held.remove(key)) {
            unindex(j);
        }
        return j;
    }

    private void unindex(Job j) {
        ordered.remove(j);
        removeFrom(byBranch, j.branch(), j);
        removeFrom(byBatch, j.batchKey(), j);
        costByCommit.computeIfPresent(commitLevel(j), (k, v) -> v == j.cost() ? null : v - j.cost());
    }

    private void index(Job j) {
        ordered.add(j);
        byBranch.computeIfAbsent(j.branch(), b -> new TreeSet<>(JobOrder.WINDOW_TOTAL)).add(j);
        byBatch.computeIfAbsent(j.batchKey(), b -> new TreeSet<>(JobOrder.WINDOW_TOTAL)).add(j);
        costByCommit.merge(commitLevel(j), (long) j.cost(), Long::sum);
    }

    /**
     * Promises pending job {@code key} to a claim of the write being prepared: it is no longer offered (first
     * eligible, same batch, commit cost) until {@link #remove} (its grant applied) or {@link #releaseHeld}.
     */
    void hold(JobKey key) {
        Job j = byKey.get(key);
        if (j != null && held.add(key)) {
            unindex(j);
        }
    }

    /** Offers every held job again (a write that was prepared but not applied). */
    void releaseHeld() {
        for (JobKey k : held) {
            index(byKey.get(k));
        }
        held.clear();
    }

    int held() {
        return held.size();
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

    /** Every pending job in window order (held ones included: they are pending until their grant applies). */
    Collection<Job> inOrder() {
        if (held.isEmpty()) {
            return ordered;
        }
        NavigableSet<Job> all = new TreeSet<>(ordered);
        held.forEach(k -> all.add(byKey.get(k)));
        return all;
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

    /**
     * Pending jobs sharing the batch key of {@code seed}, in window order (the seed included, unless held): a live
     * view, not to be iterated across a change of the pending jobs.
     */
    Collection<Job> sameBatch(Job seed) {
        NavigableSet<Job> s = byBatch.get(seed.batchKey());
        return s == null ? List.of() : Collections.unmodifiableNavigableSet(s);
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
