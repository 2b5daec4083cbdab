package org.ktestci.coordinator.scheduling;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks the batch for a claim (scheduling.md §5): eligibility (arch, excluded hosts and slots), the fair-share
 * seed across branches, and packing within the budget. Reads the window state, changes nothing.
 */
final class ClaimPlanner {
    private ClaimPlanner() {
    }

    /** A planned batch: jobs in window order (seed first), and the seed's estimated total. */
    record Plan(List<Job> jobs, long totalCost) {
        Job seed() {
            return jobs.get(0);
        }
    }

    /**
     * @param otherHostsOfArch whether another up, non-quarantined host of the slot's arch exists (otherwise a
     *                         job that failed on this host may still run here, just not on the same slot)
     */
    static Plan plan(WindowState state, FairShare fairShare, String host, int slot, String arch, int budget,
                     boolean otherHostsOfArch, long now) {
        return plan(state, fairShare, host, slot, arch, budget, TailBudget.OFF, 0, otherHostsOfArch, now);
    }

    /**
     * With the adaptive batch budget: {@code budget} is {@code subtest_duration_max}, {@code slots} the farm's slots;
     * a batch of a commit whose wanted jobs are all pending gets at most {@link TailBudget}'s share. Jobs held for
     * other claims of the same write ({@link PendingJobs#hold}) are not offered.
     */
    static Plan plan(WindowState state, FairShare fairShare, String host, int slot, String arch, int budget,
                     TailBudget tail, int slots, boolean otherHostsOfArch, long now) {
        Predicate<Job> eligible = j -> eligible(j, state.failures.get(j.key()), host, slot, arch, otherHostsOfArch);
        Job seed = seed(state.pending, fairShare, eligible, now);
        if (seed == null) {
            return null;
        }
        budget = tail.budget(budget, state.pending.costOfCommit(seed), slots, state.pending.wholeCommitPending(seed));
        List<Job> batch = new ArrayList<>();
        batch.add(seed);
        long total = seed.cost();
        for (Job j : state.pending.sameBatch(seed)) {
            if (total >= budget) {
                break; // every cost is at least 1 (§6): nothing more fits
            }
            if (j != seed && eligible.test(j) && total + j.cost() <= budget) {
                batch.add(j);
                total += j.cost();
            }
        }
        return new Plan(List.copyOf(batch), total);
    }

    static boolean eligible(Job j, JobFailures f, String host, int slot, String arch, boolean otherHostsOfArch) {
        if (!j.allowedArches().contains(arch)) {
            return false;
        }
        if (otherHostsOfArch && j.avoidHost().equals(host)) {
            return false; // a re-run waits for another host while one is up (issue 14)
        }
        if (f == null) {
            return true;
        }
        if (otherHostsOfArch) {
            return !f.excludedHosts().contains(host);
        }
        return !f.excludedSlots().contains(host + ":" + slot);
    }

    private static Job seed(PendingJobs pending, FairShare fairShare, Predicate<Job> eligible, long now) {
        if (!fairShare.enabled()) {
            return pending.firstEligible(eligible);
        }
        Job best = null;
        double bestScore = 0;
        for (String branch : pending.branches()) {
            Job c = pending.firstEligible(branch, eligible);
            if (c == null) {
                continue;
            }
            double score = FairShare.score(fairShare.usage(branch, now), c.priority());
            if (best == null || score < bestScore || (score == bestScore && JobOrder.WINDOW_TOTAL.compare(c, best) < 0)) {
                best = c;
                bestScore = score;
            }
        }
        return best;
    }

    /** Hosts of {@code arch} other than {@code host} that are up and not quarantined. */
    static boolean otherHostsOfArch(Map<String, String> upHosts, WindowState state, String host, String arch,
                                    long now) {
        for (Map.Entry<String, String> e : upHosts.entrySet()) {
            if (!e.getKey().equals(host) && e.getValue().equals(arch) && !state.health(e.getKey()).quarantinedAt(now)) {
                return true;
            }
        }
        return false;
    }

    static Set<String> keysOf(List<Job> jobs) {
        Set<String> s = new HashSet<>();
        jobs.forEach(j -> s.add(j.resultKey()));
        return s;
    }
}
