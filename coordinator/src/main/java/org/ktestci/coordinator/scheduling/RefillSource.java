package org.ktestci.coordinator.scheduling;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Computes the desired jobs from config, git and results; called off the actor thread, one call at a time. */
public interface RefillSource {
    /**
     * @param excluded       jobs to leave out (leased, or decided with the index maybe not showing it yet)
     * @param pendingCommits commits of the pending jobs, whose liveness the result reports
     */
    DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> archesWithSlots, int window,
                               Map<String, ArchConstraint> constraints, Set<String> pendingCommits)
            throws IOException;

    /** Whether the end of a lease that ran {@code key} should refill at once (a bisection moves on). */
    default boolean refillAfter(JobKey key) {
        return false;
    }

    /** The mtime of the listing of {@code test} the last refill used (0 if unknown): keys learned constraints. */
    default long listingMtime(String test) {
        return 0;
    }
}
