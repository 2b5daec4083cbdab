package org.ktestci.coordinator.scheduling;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The desired jobs of scheduling.md §3: what their computation reads ({@link Inputs}) and what it gives
 * ({@link Result}). Production computes them with {@link WindowPlanner}; the computation exactly as the spec writes
 * it, which materialises the whole matrix, is the tests' oracle ({@code FullDesiredJobs} in the test sources).
 */
public final class DesiredJobs {
    /** What the computation needs from the rest of the coordinator; implementations may block. */
    public interface Inputs {
        List<BranchSpec> branches();

        /** Up to {@code depth} commits from the branch's tip in walk order (§3 step 1); empty if never fetched. */
        Optional<List<String>> history(BranchSpec branch, int depth) throws IOException;

        /** Subtests of a test file in listing order; empty when the listing failed (reported elsewhere). */
        Optional<List<String>> subtests(String test);

        boolean hasVerdict(String commit, String resultKey);

        boolean isLeased(JobKey key);

        Set<String> archesWithSlots();

        int costOf(String resultKey);

        /** How many commits from each tip keep their results (retention, and "left the branches"). */
        default int keepResultsCommits() {
            return 0;
        }

        /** The arch a test declared with {@code config-arch}, if learned for its current listing. */
        default Optional<String> archConstraint(String test) {
            return Optional.empty();
        }

        /**
         * The result keys with a Failed verdict at {@code commit} (flaky ones excluded), or empty if the commit has no
         * verdict at all (not tested yet). Read only for groups with {@code order = "failures_first"}.
         */
        default Optional<Set<String>> failures(String commit) {
            return Optional.empty();
        }

        /** Told about a dropped job key whose result key another job of the commit already has (§1.2). */
        default void collision(String resultKey, JobKey kept, JobKey dropped) {
        }
    }

    /**
     * {@code jobs}: the window, in window order; {@code desiredBeforeTruncation}: how many jobs were desired (for
     * the incremental planner: how many it generated before the window was full); {@code unschedulable}: wanted
     * jobs without a slot, per arch; {@code liveCommits}: the commits within {@code keep_results_commits} of a
     * tracked tip among those the caller asked about (a pending job outside it left the branches).
     */
    public record Result(List<Job> jobs, int desiredBeforeTruncation, Map<String, Integer> unschedulable,
                         Set<String> liveCommits) {
        public Result(List<Job> jobs, int desiredBeforeTruncation, Map<String, Integer> unschedulable) {
            this(jobs, desiredBeforeTruncation, unschedulable, Set.of());
        }
    }

    private DesiredJobs() {
    }
}
