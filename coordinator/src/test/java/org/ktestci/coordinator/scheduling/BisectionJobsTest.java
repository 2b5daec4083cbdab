package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which searches run and what they record (issue 14 item 3), from the results alone: branch main walks c0 (tip) ..
 * c13 linearly; group g runs t.ktest's subtests a and b at the newest commit only.
 */
class BisectionJobsTest {
    final Map<String, Map<String, ResultRecord>> results = new HashMap<>();
    final Set<JobKey> excluded = new HashSet<>();
    final Set<String> known = new HashSet<>();
    BisectionJobs.Settings settings = new BisectionJobs.Settings(true, 20);
    static final List<String> WALK = new ArrayList<>();

    static {
        for (int i = 0; i <= 13; i++) {
            WALK.add("c" + i);
        }
    }

    final BisectionJobs.Inputs in = new BisectionJobs.Inputs() {
        @Override
        public List<BranchSpec> branches() {
            GroupSpec g = new GroupSpec("g", List.of("t.ktest"), 1, 0, List.of(), new java.util.TreeMap<>(),
                    List.of("x86_64"));
            return List.of(new BranchSpec("main", "linux", Path.of("repo"), "", "https://git.example.org/linux",
                    "main", List.of(g)));
        }

        @Override
        public Optional<List<String>> history(BranchSpec branch, int depth) {
            return Optional.of(WALK.subList(0, Math.min(depth, WALK.size())));
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
            return 50;
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
            return Set.of("x86_64");
        }

        @Override
        public BisectionJobs.Settings settings(String branch) {
            return settings;
        }

        /** Linear: rev-list bad --not good is every commit from bad down to the newest good one, exclusive. */
        @Override
        public Optional<Map<String, List<String>>> region(BranchSpec branch, String bad, Set<String> good,
                                                          int limit) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            if (good.stream().anyMatch(g -> WALK.indexOf(g) < WALK.indexOf(bad))) {
                return Optional.of(out); // as git: a good commit that contains bad leaves nothing to search
            }
            for (int i = WALK.indexOf(bad); i < WALK.size() && !good.contains(WALK.get(i)); i++) {
                out.put(WALK.get(i), i + 1 < WALK.size() ? List.of(WALK.get(i + 1)) : List.of());
            }
            return Optional.of(out);
        }

        @Override
        public Optional<CommitInfo> describe(BranchSpec branch, String sha) {
            return Optional.of(new CommitInfo(sha, "subject of " + sha, "", "Dev", "dev@example.org", 0));
        }

        @Override
        public boolean known(String sha, String key) {
            return known.contains(sha + " " + key);
        }
    };

    void verdict(String commit, String key, Status status, Status... reruns) {
        ResultRecord r = new ResultRecord(key, status, "", 1, 1, "L-" + commit, "h1", 0, "x86_64", 1, "", "", "");
        for (int i = 0; i < reruns.length; i++) {
            r = r.withObservation(new Observation(i + 1, reruns[i], "", 1, "h2", 0, "R" + i, 1));
        }
        results.computeIfAbsent(commit, c -> new HashMap<>()).put(key, r);
    }

    List<String> jobs(int retries) throws Exception {
        List<String> out = new ArrayList<>();
        for (Job j : BisectionJobs.compute(in, retries, -3).jobs()) {
            assertEquals(-3, j.weight(), "raised priority");
            assertEquals(0, j.key().observation(), "a run at an untested commit gives its verdict");
            out.add(j.key().commit() + "/" + j.resultKey());
        }
        return out;
    }

    /** Runs the search to its end with the regression at {@code culprit}; returns the commits it ran. */
    List<String> runSearch(String key, int culprit) throws Exception {
        List<String> ran = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
            List<String> next = jobs(0).stream().filter(j -> j.endsWith("/" + key)).toList();
            if (next.isEmpty()) {
                return ran;
            }
            String c = next.get(0).split("/")[0];
            ran.add(c);
            verdict(c, key, Integer.parseInt(c.substring(1)) <= culprit ? Status.FAILED : Status.PASSED);
        }
        throw new AssertionError("no end: " + ran);
    }

    @Test
    void aNewFailureIsSearchedOneJobAtATimeUntilItsFirstBadCommitIsExact() throws Exception {
        verdict("c0", "t.a", Status.FAILED);
        verdict("c13", "t.a", Status.PASSED);
        verdict("c13", "t.b", Status.PASSED);
        verdict("c0", "t.b", Status.PASSED);
        assertEquals(List.of("c6/t.a"), jobs(0), "the midpoint of c1..c12, the key alone");
        List<String> ran = runSearch("t.a", 5);
        assertTrue(ran.size() <= 4, ran.toString());
        List<BisectionJobs.Finding> found = BisectionJobs.compute(in, 0, -3).findings();
        FirstBad fb = new FirstBad("c5", "subject of c5", "Dev", true, List.of("c6"), 0, "");
        assertTrue(found.contains(new BisectionJobs.Finding("c0", "t.a", fb)), found.toString());
        assertTrue(found.contains(new BisectionJobs.Finding("c5", "t.a", fb)), found.toString());
        found.forEach(f -> results.get(f.commit()).put(f.key(), results.get(f.commit()).get(f.key())
                .withFirstBad(f.firstBad())));
        assertEquals(BisectionJobs.Result.NONE.jobs(), BisectionJobs.compute(in, 0, -3).jobs());
        assertEquals(List.of(), BisectionJobs.compute(in, 0, -3).findings(), "recorded once");
    }

    @Test
    void aFlakyOrKnownOrUnsettledFailureIsNotSearched() throws Exception {
        verdict("c13", "t.a", Status.PASSED);
        verdict("c0", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of(), jobs(2), "flaky");
        verdict("c0", "t.a", Status.FAILED, Status.FAILED);
        assertEquals(List.of(), jobs(2), "one re-run of two done: wait");
        assertEquals(List.of("c6/t.a"), jobs(1), "re-runs settled, all failed");
        known.add("c0 t.a");
        assertEquals(List.of(), jobs(1), "a known issue");
    }

    @Test
    void bisectFalseAndBisectMaxJobsBoundTheBranch() throws Exception {
        for (String key : List.of("t.a", "t.b")) {
            verdict("c0", key, Status.FAILED);
            verdict("c13", key, Status.PASSED);
        }
        verdict("c6", "t.b", Status.FAILED); // b's search is further on: its next commit differs from a's
        assertEquals(List.of("c9/t.b", "c6/t.a"), jobs(0), "oldest failure first");
        settings = new BisectionJobs.Settings(true, 1);
        assertEquals(List.of("c9/t.b"), jobs(0), "one pending or leased at once");
        excluded.add(new JobKey("c9", "t.ktest", "b", "", "", ""));
        assertEquals(List.of(), jobs(0), "the leased one counts");
        assertEquals(Set.of(new JobKey("c9", "t.ktest", "b", "", "", "")),
                BisectionJobs.compute(in, 0, -3).inFlight());
        settings = new BisectionJobs.Settings(true, 0);
        excluded.clear();
        assertEquals(List.of(), jobs(0));
        settings = new BisectionJobs.Settings(false, 20);
        assertEquals(List.of(), jobs(0), "bisect = false");
        assertEquals(List.of(), BisectionJobs.compute(in, 0, -3).findings());
    }

    @Test
    void aLaterFixDoesNotBoundTheSearchOfTheFailureBeforeIt() throws Exception {
        verdict("c13", "t.a", Status.PASSED);
        verdict("c3", "t.a", Status.FAILED);
        verdict("c0", "t.a", Status.PASSED);
        assertEquals(List.of("c8/t.a"), jobs(0), "the midpoint of c4..c12; c0 passing bounds nothing below c3");
    }

    @Test
    void anUntestableCandidateEndsTheSearchWithTheRange() throws Exception {
        verdict("c0", "t.a", Status.FAILED);
        verdict("c13", "t.a", Status.PASSED);
        verdict("c6", "t.a", Status.FAILED_TO_RUN);
        assertEquals(List.of(), jobs(0));
        List<BisectionJobs.Finding> found = BisectionJobs.compute(in, 0, -3).findings();
        assertEquals(List.of(new BisectionJobs.Finding("c0", "t.a", new FirstBad("c0", "subject of c0", "Dev", false,
                List.of("c13"), 12, "c6"))), found);
    }

    @Test
    void aLaterFailureIsExplainedByTheFirstBadCommitOfTheFailureBeforeIt() throws Exception {
        FirstBad fb = new FirstBad("c5", "subject of c5", "Dev", true, List.of("c6"), 0, "");
        verdict("c6", "t.a", Status.PASSED);
        verdict("c5", "t.a", Status.FAILED);
        results.get("c5").put("t.a", results.get("c5").get("t.a").withFirstBad(fb));
        verdict("c0", "t.a", Status.FAILED);
        assertEquals(List.of(new BisectionJobs.Finding("c0", "t.a", fb)), BisectionJobs.compute(in, 0, -3).findings());
    }
}
