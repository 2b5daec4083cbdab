package org.ktestci.schema.events;

import org.ktestci.schema.events.RegressionEvent.CommitRef;
import org.ktestci.schema.events.RegressionEvent.FirstBadFound;
import org.ktestci.schema.events.RegressionEvent.Fixed;
import org.ktestci.schema.events.RegressionEvent.KnownRef;
import org.ktestci.schema.events.RegressionEvent.NewFailure;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Derives a branch's {@link RegressionEvent}s from its results as they are (issue 14 item 8): nothing of its own
 * is stored, so the feed, the webhooks and a restarted coordinator all see the same events with the same ids.
 *
 * <p>Per result key, the branch's commits are walked oldest first, and only Passed and Failed first verdicts count
 * (Not run, Failed to run and Unknown say nothing about the code):
 * <ul>
 * <li>a Failed verdict whose nearest older verdict was not a failure (Passed, or a flaky failure) is a <b>new
 * failure</b>, the rule {@code FlakeReruns} re-runs by. It is announced only once its re-runs are done: flaky (a
 * re-run passed) means no event, and while fewer than {@code flake_retries} re-runs exist nothing newer of that key
 * is decided yet. A test with no older verdict is new on the branch and counts, unless no older commit of the walk
 * has results at all (no baseline: the oldest tested commit of the walk announces nothing);</li>
 * <li>a key In progress at a commit has its verdict there still to come: nothing newer of that key is decided yet
 * (newest commits are tested first, so a failure seen at the tip waits for its parent's verdict, which may make
 * it an older failure, instead of being announced as new at the tip and again at the parent);</li>
 * <li>a Passed verdict whose nearest older verdict was a real failure is a <b>fix</b>;</li>
 * <li>a failure following a failure ("still failing") announces nothing.</li>
 * </ul>
 * Bisection's findings come from a {@link FirstBadSource} and are added as they are.
 */
public final class BranchEvents {
    /** What the derivation reads; may block (blobs, logs). */
    public interface Inputs {
        /** The commit's first verdicts, empty when it has no results. */
        Optional<List<ResultEntry>> results(String sha);

        /** The commit's re-runs by result key (issue 14 item 4). */
        Map<String, List<Observation>> reruns(String sha);

        /** The known issue a Failed result matches, if any. */
        Optional<KnownRef> known(String sha, ResultEntry failed);
    }

    private enum State { PASSING, FAILING }

    private BranchEvents() {
    }

    /**
     * The events of {@code branch} over {@code logNewestFirst}, newest first (by time, then id), at most
     * {@code limit}.
     */
    public static List<RegressionEvent> of(String branch, List<CommitInfo> logNewestFirst, Inputs in,
                                           int flakeRetries, List<FirstBadFound> findings, int limit) {
        List<RegressionEvent> out = new ArrayList<>(findings.stream().filter(f -> f.branch().equals(branch)).toList());
        Map<String, State> state = new HashMap<>();
        Map<String, String> lastVerdictAt = new HashMap<>();
        Set<String> undecided = new HashSet<>();
        boolean baseline = false;
        for (int i = logNewestFirst.size() - 1; i >= 0; i--) {
            CommitInfo c = logNewestFirst.get(i);
            Optional<List<ResultEntry>> results = in.results(c.sha());
            if (results.isEmpty() || results.get().isEmpty()) {
                continue;
            }
            Map<String, List<Observation>> reruns = null;
            for (ResultEntry e : results.get()) {
                if (e.status() == Status.INPROGRESS) {
                    undecided.add(e.name());
                    continue;
                }
                if ((e.status() != Status.PASSED && e.status() != Status.FAILED) || undecided.contains(e.name())) {
                    continue;
                }
                State before = state.get(e.name());
                Optional<String> previous = Optional.ofNullable(lastVerdictAt.get(e.name()));
                lastVerdictAt.put(e.name(), c.sha());
                if (e.status() == Status.PASSED) {
                    if (before == State.FAILING) {
                        out.add(new Fixed(branch, e.name(), ref(c), previous.orElseThrow(), at(c, e)));
                    }
                    state.put(e.name(), State.PASSING);
                    continue;
                }
                if (before == State.FAILING) {
                    continue; // still failing
                }
                if (reruns == null) {
                    reruns = in.reruns(c.sha());
                }
                List<Observation> obs = reruns.getOrDefault(e.name(), List.of());
                if (Observation.flaky(e.status(), obs)) {
                    state.put(e.name(), State.PASSING);
                } else if (obs.size() < flakeRetries) {
                    undecided.add(e.name()); // its re-runs may still make it flaky: nothing newer is decided
                } else {
                    if (baseline) {
                        out.add(new NewFailure(branch, e.name(), ref(c), previous, at(c, e), in.known(c.sha(), e)));
                    }
                    state.put(e.name(), State.FAILING);
                }
            }
            baseline = true;
        }
        out.sort(Comparator.comparingLong(RegressionEvent::at).reversed().thenComparing(RegressionEvent::id));
        return List.copyOf(out.subList(0, Math.min(limit, out.size())));
    }

    private static CommitRef ref(CommitInfo c) {
        return new CommitRef(c.sha(), c.subject(), c.author());
    }

    /** The verdict's end when the run recorded its start, else the commit's time. */
    private static long at(CommitInfo c, ResultEntry e) {
        return e.starttime() > 0 ? e.starttime() + Math.max(0, e.duration()) : c.commitTime();
    }
}
