package org.ktestci.coordinator.scheduling;

import org.ktestci.schema.keys.Utf8ByteOrder;

import java.util.Comparator;

/**
 * Window order (scheduling.md §3 step 5): weight, commit, recent failures of a {@code failures_first} group first,
 * cost descending (a commit's longest subtests first, across its tests), test, kernel, env, archId, listing index;
 * strings in byte order.
 */
public final class JobOrder {
    public static final Comparator<Job> WINDOW = Comparator
            .comparingInt(Job::weight)
            .thenComparing(j -> j.key().commit(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> !j.recentFailure())
            .thenComparing(Comparator.comparingInt(Job::cost).reversed())
            .thenComparing(j -> j.key().test(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().kernel(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().env(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().archId(), Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(Job::listingIndex);

    /**
     * {@link #WINDOW} made total with the subtest name, for sorted sets: two jobs of one commit, cost, test,
     * kernel, env and arch with the same listing index can only come from two listings of different files.
     */
    static final Comparator<Job> WINDOW_TOTAL = WINDOW.thenComparing(j -> j.key().subtest(), Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(j -> j.key().observation());

    private JobOrder() {
    }
}
