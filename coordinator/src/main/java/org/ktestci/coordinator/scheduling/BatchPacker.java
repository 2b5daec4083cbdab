package org.ktestci.coordinator.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Packs a batch (scheduling.md §5): the seed is always taken; then every eligible job with the seed's batch
 * key whose cost still fits the budget, in window order, skipping ones that do not fit.
 */
public final class BatchPacker {
    private BatchPacker() {
    }

    /** The first eligible job in window order, or -1. */
    public static int seedIndex(List<Job> pending, Predicate<Job> eligible) {
        for (int i = 0; i < pending.size(); i++) {
            if (eligible.test(pending.get(i))) {
                return i;
            }
        }
        return -1;
    }

    public static List<Job> pack(List<Job> pending, int seedIndex, Predicate<Job> eligible, int budgetSecs) {
        Job seed = pending.get(seedIndex);
        List<Job> batch = new ArrayList<>();
        batch.add(seed);
        long total = seed.cost();
        Job.BatchKey bk = seed.batchKey();
        for (int i = 0; i < pending.size(); i++) {
            if (i == seedIndex) {
                continue;
            }
            Job j = pending.get(i);
            if (j.batchKey().equals(bk) && eligible.test(j) && total + j.cost() <= budgetSecs) {
                batch.add(j);
                total += j.cost();
            }
        }
        return batch;
    }
}
