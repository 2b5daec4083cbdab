package org.ktestci.schema.events;

import org.junit.jupiter.api.Test;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The events a branch's results make (issue 14 item 8), on crafted histories. */
class BranchEventsTest {
    /** A history built oldest first; {@link #log()} gives it newest first as the branch walk does. */
    private final List<CommitInfo> commits = new ArrayList<>();
    private final Map<String, List<ResultEntry>> results = new HashMap<>();
    private final Map<String, Map<String, List<Observation>>> reruns = new HashMap<>();
    private final Map<String, KnownRef> known = new HashMap<>();

    private String commit(String... verdicts) {
        String sha = String.format("%040x", commits.size() + 1);
        commits.add(new CommitInfo(sha, "subject " + commits.size(), "subject\n", "Author " + commits.size(),
                "a@example.org", 1_700_000_000L + commits.size() * 100));
        List<ResultEntry> entries = new ArrayList<>();
        for (String v : verdicts) {
            String[] kv = v.split("=");
            entries.add(new ResultEntry(kv[0], Status.fromJsonCode(kv[1]), 5, 1_800_000_000L + commits.size() * 100));
        }
        if (!entries.isEmpty()) {
            results.put(sha, entries);
        }
        return sha;
    }

    private void rerun(String sha, String key, Status... statuses) {
        List<Observation> obs = new ArrayList<>();
        for (Status s : statuses) {
            obs.add(new Observation(obs.size() + 1, s, "", 1, "h", 0, "l", 0));
        }
        reruns.computeIfAbsent(sha, k -> new HashMap<>()).put(key, obs);
    }

    private List<CommitInfo> log() {
        List<CommitInfo> out = new ArrayList<>(commits);
        java.util.Collections.reverse(out);
        return out;
    }

    private List<RegressionEvent> events(int retries, List<FirstBadFound> findings) {
        return BranchEvents.of("master", log(), new BranchEvents.Inputs() {
            @Override
            public Optional<List<ResultEntry>> results(String sha) {
                return Optional.ofNullable(results.get(sha));
            }

            @Override
            public Map<String, List<Observation>> reruns(String sha) {
                return reruns.getOrDefault(sha, Map.of());
            }

            @Override
            public Optional<KnownRef> known(String sha, ResultEntry failed) {
                return Optional.ofNullable(known.get(failed.name()));
            }
        }, retries, findings, 100);
    }

    @Test
    void aFailureAfterAPassIsNewAndAPassAfterItIsAFix() {
        String m = commit("a=passed", "b=passed");
        commit(); // untested
        String n = commit("a=failed", "b=passed");
        String still = commit("a=failed", "b=passed");
        String fix = commit("a=passed", "b=passed");
        rerun(n, "a", Status.FAILED, Status.FAILED);
        List<RegressionEvent> ev = events(2, List.of());
        assertEquals(2, ev.size(), ev.toString());
        Fixed fixed = (Fixed) ev.get(0);
        assertEquals(List.of("a", fix, still), List.of(fixed.key(), fixed.commit().sha(), fixed.failingSha()));
        NewFailure nf = (NewFailure) ev.get(1);
        assertEquals(List.of("a", n, m), List.of(nf.key(), nf.commit().sha(), nf.previousSha().orElseThrow()));
        assertEquals(new CommitRef(n, "subject 2", "Author 2"), nf.commit());
        assertEquals(1_800_000_000L + 300 + 5, nf.at(), "the verdict's end");
        assertEquals(Optional.empty(), nf.known());
    }

    @Test
    void aFailureWhoseReRunPassedIsFlakyAndAnnouncesNothing() {
        commit("a=passed");
        String n = commit("a=failed");
        commit("a=passed");
        rerun(n, "a", Status.FAILED, Status.PASSED);
        assertEquals(List.of(), events(2, List.of()));
    }

    @Test
    void nothingIsDecidedForAKeyUntilItsReRunsAreDone() {
        commit("a=passed", "b=passed");
        String n = commit("a=failed", "b=failed");
        commit("a=passed", "b=passed");
        rerun(n, "a", Status.FAILED);
        rerun(n, "b", Status.FAILED, Status.FAILED);
        List<RegressionEvent> ev = events(2, List.of());
        assertEquals(List.of("b", "b"), ev.stream().map(RegressionEvent::key).toList(), "a waits for its second re-run");
        rerun(n, "a", Status.FAILED, Status.FAILED);
        assertEquals(4, events(2, List.of()).size());
        // Without re-runs configured a failure is decided at once.
        reruns.clear();
        assertEquals(4, events(0, List.of()).size());
    }

    /** The tip is tested before its parent: a failure there waits for the parent's verdict of the same key. */
    @Test
    void aFailureWaitsWhileAnOlderCommitsVerdictOfItIsInProgress() {
        commit("a=passed", "b=passed");
        String parent = commit("a=inprogress", "b=passed");
        String tip = commit("a=failed", "b=passed");
        assertEquals(List.of(), events(0, List.of()), "a at the tip may not be new: its parent's run is not over");
        results.put(parent, List.of(new ResultEntry("a", Status.FAILED, 5, 1), new ResultEntry("b", Status.PASSED,
                5, 1)));
        List<RegressionEvent> ev = events(0, List.of());
        assertEquals(1, ev.size(), ev.toString());
        assertEquals(parent, ((NewFailure) ev.get(0)).commit().sha(), "new where it first failed, once");
        results.put(parent, List.of(new ResultEntry("a", Status.PASSED, 5, 1), new ResultEntry("b", Status.PASSED,
                5, 1)));
        NewFailure atTip = (NewFailure) events(0, List.of()).get(0);
        assertEquals(List.of(tip, parent), List.of(atTip.commit().sha(), atTip.previousSha().orElseThrow()));
    }

    @Test
    void theOldestTestedCommitHasNoBaselineButANewTestFailingLaterIsNew() {
        commit("a=failed");
        String n = commit("a=failed", "new=failed");
        List<RegressionEvent> ev = events(0, List.of());
        assertEquals(1, ev.size(), ev.toString());
        NewFailure nf = (NewFailure) ev.get(0);
        assertEquals(List.of("new", n), List.of(nf.key(), nf.commit().sha()));
        assertEquals(Optional.empty(), nf.previousSha());
    }

    @Test
    void notRunAndFailedToRunSayNothingAndKnownIssuesAreShown() {
        commit("a=passed");
        commit("a=failedToRun");
        String n = commit("a=failed");
        commit("a=notrun");
        commit("a=failed");
        known.put("a", new KnownRef("btree", "https://bugs.example.org/1"));
        List<RegressionEvent> ev = events(0, List.of());
        assertEquals(1, ev.size(), ev.toString());
        assertEquals(n, ev.get(0).commit().sha());
        assertEquals(Optional.of(new KnownRef("btree", "https://bugs.example.org/1")), ((NewFailure) ev.get(0)).known());
    }

    @Test
    void findingsOfTheBranchJoinInTimeOrder() {
        String m = commit("a=passed");
        String n = commit("a=failed");
        FirstBadFound f = new FirstBadFound("master", "a", new CommitRef(n, "s", "x"), m, n, true, 1_900_000_000L);
        FirstBadFound other = new FirstBadFound("other", "a", new CommitRef(n, "s", "x"), m, n, true, 1_900_000_000L);
        List<RegressionEvent> ev = events(0, List.of(f, other));
        assertEquals(List.of("first_bad_found", "new_failure"), ev.stream().map(RegressionEvent::type).toList());
    }

    @Test
    void idsDependOnlyOnWhatTheEventIsAbout() {
        commit("a=passed");
        String between = commit();
        String n = commit("a=failed");
        String before = events(0, List.of()).get(0).id();
        assertTrue(before.matches("new_failure-[0-9a-f]{32}"), before);
        // A verdict arriving later in between (a bisection step that passed) keeps the event and its id.
        results.put(between, List.of(new ResultEntry("a", Status.PASSED, 1, 0)));
        RegressionEvent after = events(0, List.of()).get(0);
        assertEquals(before, after.id());
        assertEquals(between, ((NewFailure) after).previousSha().orElseThrow());
        assertEquals(after.atomId("ci"), events(0, List.of()).get(0).atomId("ci"));
        assertTrue(after.atomId("ci").matches("urn:uuid:[0-9a-f-]{36}"), after.atomId("ci"));
        assertNotEquals(after.atomId("ci"), after.atomId("other-ci"));
        assertNotEquals(RegressionEvent.idOf("new_failure", "master", "a", n),
                RegressionEvent.idOf("new_failure", "maste", "ra", n), "parts are separated");
    }
}
