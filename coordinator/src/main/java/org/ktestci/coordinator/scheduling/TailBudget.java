package org.ktestci.coordinator.scheduling;

/**
 * The adaptive batch budget (docs/scheduling.md, "Claims and batches"): once every wanted job of the seed's commit
 * is pending (the window holds jobs ranked after them), a batch of that commit gets at most its share of what is
 * left, {@code remaining / (divisor × slots)} estimated seconds, but no less than {@code floorSecs}. The commit's last
 * batches are then short and spread over the farm, instead of a few full-budget batches ending minutes apart
 * while the other slots have gone back to older commits (guided self-scheduling). Before the tail, and with
 * {@code divisor = 0}, the budget is {@code subtest_duration_max}.
 */
public record TailBudget(int divisor, int floorSecs) {
    /** Batches always get {@code subtest_duration_max}: the rule of scheduling.md §5 before issue 15. */
    public static final TailBudget OFF = new TailBudget(0, 0);
    /** What the coordinator uses; the farm simulation compares it with {@link #OFF} (BENCHMARKS.md). */
    public static final TailBudget DEFAULT = new TailBudget(1, 60);

    public TailBudget {
        if (divisor < 0 || floorSecs < 0) {
            throw new IllegalArgumentException("divisor and floor must not be negative");
        }
    }

    /**
     * @param configured {@code subtest_duration_max}
     * @param remaining  estimated seconds of the seed commit's pending jobs (at the seed's weight), seed included
     * @param slots      slots of the farm (holding a lease or claiming one)
     * @param tail       whether every wanted job of the commit is pending
     */
    int budget(int configured, long remaining, int slots, boolean tail) {
        if (divisor == 0 || !tail || slots <= 0) {
            return configured;
        }
        long share = remaining / ((long) divisor * slots);
        return (int) Math.max(Math.min(floorSecs, configured), Math.min(configured, share));
    }
}
