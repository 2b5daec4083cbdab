package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures are re-run (issue 14 item 4), from the results alone. */
class FlakeRerunsTest {
    /** Branch main walks c0 (tip) .. c3; group g runs t.ktest's subtests a and b on the last 3 commits. */
    final Map<String, Map<String, ResultRecord>> results = new HashMap<>();
    final Set<JobKey> excluded = new HashSet<>();
    Set<String> arches = Set.of("x86_64");

    final FlakeReruns.Inputs in = new FlakeReruns.Inputs() {
        @Override
        public List<BranchSpec> branches() {
            GroupSpec g = new GroupSpec("g", List.of("t.ktest"), 3, 0, List.of(), new java.util.TreeMap<>(),
                    List.of("x86_64"));
            return List.of(new BranchSpec("main", "linux", Path.of("repo"), "", "https://git.example.org/linux",
                    "main", List.of(g)));
        }

        @Override
        public Optional<List<String>> history(BranchSpec branch, int depth) {
            return Optional.of(List.of("c0", "c1", "c2", "c3").subList(0, Math.min(depth, 4)));
        }

        @Override
        public Optional<List<String>> subtests(String test) {
            return Optional.of(List.of("a", "b"));
        }

        @Override
        public Optional<String> archConstraint(String test) {
            return Optional.empty();
        }

        @Override
        public int costOf(String resultKey) {
            return 10;
        }

        @Override
        public int keepResultsCommits() {
            return 4;
        }

        @Override
        public Map<String, ResultRecord> results(String commit) {
            return results.getOrDefault(commit, Map.of());
        }

        @Override
        public boolean excluded(JobKey key) {
            return excluded.contains(key);
        }

        @Override
        public Set<String> archesWithSlots() {
            return arches;
        }
    };

    void verdict(String commit, String key, Status status, Status... reruns) {
        ResultRecord r = new ResultRecord(key, status, "", 1, 1, "L-" + commit, "h1", 0, "x86_64", 1, "", "", "");
        for (int i = 0; i < reruns.length; i++) {
            r = r.withObservation(new Observation(i + 1, reruns[i], "", 1, "h2", 0, "R" + i, 1));
        }
        results.computeIfAbsent(commit, c -> new HashMap<>()).put(key, r);
    }

    List<String> reruns(int retries) throws Exception {
        List<String> out = new ArrayList<>();
        for (Job j : FlakeReruns.compute(in, retries, -7)) {
            out.add(j.key().commit() + "/" + j.resultKey() + "#" + j.key().observation());
        }
        out.sort(null);
        return out;
    }

    @Test
    void aNewFailureIsReRunUpToTheRetriesAndStopsAtTheFirstPass() throws Exception {
        verdict("c0", "t.a", Status.FAILED);
        verdict("c1", "t.a", Status.PASSED);
        assertEquals(List.of("c0/t.a#1"), reruns(2));
        verdict("c0", "t.a", Status.FAILED, Status.FAILED);
        assertEquals(List.of("c0/t.a#2"), reruns(2));
        verdict("c0", "t.a", Status.FAILED, Status.FAILED, Status.FAILED);
        assertEquals(List.of(), reruns(2), "flake_retries re-runs all failed: a real failure");
        verdict("c0", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of(), reruns(2), "flaky: no more re-runs");
        assertEquals(List.of(), reruns(0), "flake_retries = 0 turns re-runs off");
    }

    @Test
    void onlyNewFailuresAreReRun() throws Exception {
        verdict("c0", "t.a", Status.FAILED);
        verdict("c1", "t.a", Status.FAILED);
        verdict("c2", "t.a", Status.PASSED);
        assertEquals(List.of("c1/t.a#1"), reruns(2), "c0 fails as c1 did: not new");
        verdict("c1", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of("c0/t.a#1"), reruns(2), "c1's failure was flaky: c0's is new");
        verdict("c0", "t.b", Status.FAILED);
        verdict("c1", "t.b", Status.INPROGRESS);
        assertTrue(reruns(2).contains("c0/t.b#1"), "no older verdict: new");
        verdict("c3", "t.b", Status.FAILED);
        assertFalse(reruns(2).contains("c0/t.b#1"), "the nearest older verdict (c3, past max_commits but in the "
                + "walk) failed too: not new");
    }

    @Test
    void aRerunIsAJobOfItsOwnFirstInTheWindowAwayFromTheFirstHost() throws Exception {
        verdict("c2", "t.b", Status.FAILED);
        List<Job> jobs = FlakeReruns.compute(in, 2, -7);
        assertEquals(1, jobs.size());
        Job j = jobs.get(0);
        assertEquals(new JobKey("c2", "t.ktest", "b", "", "", "", 1), j.key());
        assertEquals(-7, j.weight());
        assertEquals("h1", j.avoidHost());
        assertEquals(List.of(new Source("https://git.example.org/linux", "main")), j.sources());
        excluded.add(j.key());
        assertEquals(List.of(), FlakeReruns.compute(in, 2, -7), "leased or decided: not wanted again");
        excluded.clear();
        verdict("c3", "t.a", Status.FAILED);
        assertEquals(List.of("c2/t.b#1"), reruns(2), "c3 is beyond the group's max_commits");
        arches = Set.of("aarch64");
        assertEquals(List.of(), reruns(2), "no slot of its arch");
    }
}
