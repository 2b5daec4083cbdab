package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.scheduling.WindowEvent.Removal;
import org.ktestci.coordinator.scheduling.WindowEvent.WindowReconciled;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Turns a refill's desired list D into the change of pending (scheduling.md §4.1): pending := D, except jobs
 * leased or decided since the refill started, and keeping jobs re-queued while it ran (the refill could not see
 * them). Removals carry their reason: {@code left_branches}, {@code displaced} or {@code not_desired}.
 */
final class Reconciler {
    static final String LEFT_BRANCHES = "left_branches";
    static final String DISPLACED = "displaced";
    static final String NOT_DESIRED = "not_desired";

    private Reconciler() {
    }

    /**
     * @param excludedAtStart what the refill was told to leave out (leased or decided when it started)
     * @param decided         jobs decided (verdict or Failed to run) whose verdicts the index may not show yet
     * @param hasVerdict      (commit, result key) has a verdict in the results index
     */
    static WindowReconciled reconcile(WindowState state, DesiredJobs.Result d, int window, Set<JobKey> excludedAtStart,
                                      Set<JobKey> decided, BiPredicate<String, String> hasVerdict, String trigger,
                                      long now) {
        Map<JobKey, Job> next = new HashMap<>();
        for (Job j : d.jobs()) {
            if (!state.leasedKeys.contains(j.key()) && !decided.contains(j.key())) {
                next.put(j.key(), j);
            }
        }
        for (Job j : state.pending.inOrder()) {
            if (excludedAtStart.contains(j.key()) && !decided.contains(j.key())) {
                next.putIfAbsent(j.key(), j);
            }
        }
        List<Job> added = new ArrayList<>();
        List<Job> updated = new ArrayList<>();
        for (Job j : next.values()) {
            Job before = state.pending.get(j.key());
            if (before == null) {
                added.add(j);
            } else if (!before.equals(j)) {
                updated.add(j);
            }
        }
        Job last = d.jobs().size() >= window && !d.jobs().isEmpty() ? d.jobs().get(d.jobs().size() - 1) : null;
        List<Removal> removed = new ArrayList<>();
        for (Job j : state.pending.inOrder()) {
            if (!next.containsKey(j.key())) {
                removed.add(new Removal(j.key(), reason(j, d, last, hasVerdict)));
            }
        }
        added.sort(JobOrder.WINDOW_TOTAL);
        updated.sort(JobOrder.WINDOW_TOTAL);
        return new WindowReconciled(added, updated, removed, trigger, now);
    }

    private static String reason(Job j, DesiredJobs.Result d, Job last, BiPredicate<String, String> hasVerdict) {
        if (!d.liveCommits().isEmpty() && !d.liveCommits().contains(j.key().commit())) {
            return LEFT_BRANCHES;
        }
        if (d.liveCommits().isEmpty()) {
            return LEFT_BRANCHES; // no tracked branch has any commit any more
        }
        if (last != null && JobOrder.WINDOW_TOTAL.compare(j, last) > 0 && !hasVerdict.test(j.key().commit(), j.resultKey())) {
            return DISPLACED;
        }
        return NOT_DESIRED;
    }
}
