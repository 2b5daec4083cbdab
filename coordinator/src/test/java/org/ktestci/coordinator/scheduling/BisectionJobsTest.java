package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
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
    final Set<String> known = new HashSet<>();
    BisectionJobs.Settings settings = new BisectionJobs.Settings(true, 20);
    final Search in = new Search();

    /** The searches' inputs over that walk: git's rev-list on a line, made-up subjects, the known set. */
    final class Search extends LinearResults implements BisectionJobs.Inputs {
        Search() {
            super(14, 1, 50);
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
            if (good.stream().anyMatch(g -> walk.indexOf(g) < walk.indexOf(bad))) {
                return Optional.of(out); // as git: a good commit that contains bad leaves nothing to search
            }
            for (int i = walk.indexOf(bad); i < walk.size() && !good.contains(walk.get(i)); i++) {
                out.put(walk.get(i), i + 1 < walk.size() ? List.of(walk.get(i + 1)) : List.of());
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
            in.verdict(c, key, Integer.parseInt(c.substring(1)) <= culprit ? Status.FAILED : Status.PASSED);
        }
        throw new AssertionError("no end: " + ran);
    }

    @Test
    void aNewFailureIsSearchedOneJobAtATimeUntilItsFirstBadCommitIsExact() throws Exception {
        in.verdict("c0", "t.a", Status.FAILED);
        in.verdict("c13", "t.a", Status.PASSED);
        in.verdict("c13", "t.b", Status.PASSED);
        in.verdict("c0", "t.b", Status.PASSED);
        assertEquals(List.of("c6/t.a"), jobs(0), "the midpoint of c1..c12, the key alone");
        List<String> ran = runSearch("t.a", 5);
        assertTrue(ran.size() <= 4, ran.toString());
        List<BisectionJobs.Finding> found = BisectionJobs.compute(in, 0, -3).findings();
        FirstBad fb = new FirstBad("c5", "subject of c5", "Dev", true, List.of("c6"), 0, "");
        assertTrue(found.contains(new BisectionJobs.Finding("c0", "t.a", fb)), found.toString());
        assertTrue(found.contains(new BisectionJobs.Finding("c5", "t.a", fb)), found.toString());
        found.forEach(f -> in.results.get(f.commit()).put(f.key(), in.results.get(f.commit()).get(f.key())
                .withFirstBad(f.firstBad())));
        assertEquals(BisectionJobs.Result.NONE.jobs(), BisectionJobs.compute(in, 0, -3).jobs());
        assertEquals(List.of(), BisectionJobs.compute(in, 0, -3).findings(), "recorded once");
    }

    @Test
    void aFlakyOrKnownOrUnsettledFailureIsNotSearched() throws Exception {
        in.verdict("c13", "t.a", Status.PASSED);
        in.verdict("c0", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of(), jobs(2), "flaky");
        in.verdict("c0", "t.a", Status.FAILED, Status.FAILED);
        assertEquals(List.of(), jobs(2), "one re-run of two done: wait");
        assertEquals(List.of("c6/t.a"), jobs(1), "re-runs settled, all failed");
        known.add("c0 t.a");
        assertEquals(List.of(), jobs(1), "a known issue");
    }

    @Test
    void bisectFalseAndBisectMaxJobsBoundTheBranch() throws Exception {
        for (String key : List.of("t.a", "t.b")) {
            in.verdict("c0", key, Status.FAILED);
            in.verdict("c13", key, Status.PASSED);
        }
        in.verdict("c6", "t.b", Status.FAILED); // b's search is further on: its next commit differs from a's
        assertEquals(List.of("c9/t.b", "c6/t.a"), jobs(0), "oldest failure first");
        settings = new BisectionJobs.Settings(true, 1);
        assertEquals(List.of("c9/t.b"), jobs(0), "one pending or leased at once");
        in.excluded.add(new JobKey("c9", "t.ktest", "b", "", "", ""));
        assertEquals(List.of(), jobs(0), "the leased one counts");
        assertEquals(Set.of(new JobKey("c9", "t.ktest", "b", "", "", "")),
                BisectionJobs.compute(in, 0, -3).inFlight());
        settings = new BisectionJobs.Settings(true, 0);
        in.excluded.clear();
        assertEquals(List.of(), jobs(0));
        settings = new BisectionJobs.Settings(false, 20);
        assertEquals(List.of(), jobs(0), "bisect = false");
        assertEquals(List.of(), BisectionJobs.compute(in, 0, -3).findings());
    }

    @Test
    void aLaterFixDoesNotBoundTheSearchOfTheFailureBeforeIt() throws Exception {
        in.verdict("c13", "t.a", Status.PASSED);
        in.verdict("c3", "t.a", Status.FAILED);
        in.verdict("c0", "t.a", Status.PASSED);
        assertEquals(List.of("c8/t.a"), jobs(0), "the midpoint of c4..c12; c0 passing bounds nothing below c3");
    }

    @Test
    void anUntestableCandidateEndsTheSearchWithTheRange() throws Exception {
        in.verdict("c0", "t.a", Status.FAILED);
        in.verdict("c13", "t.a", Status.PASSED);
        in.verdict("c6", "t.a", Status.FAILED_TO_RUN);
        assertEquals(List.of(), jobs(0));
        List<BisectionJobs.Finding> found = BisectionJobs.compute(in, 0, -3).findings();
        assertEquals(List.of(new BisectionJobs.Finding("c0", "t.a", new FirstBad("c0", "subject of c0", "Dev", false,
                List.of("c13"), 12, "c6"))), found);
    }

    @Test
    void aLaterFailureIsExplainedByTheFirstBadCommitOfTheFailureBeforeIt() throws Exception {
        FirstBad fb = new FirstBad("c5", "subject of c5", "Dev", true, List.of("c6"), 0, "");
        in.verdict("c6", "t.a", Status.PASSED);
        in.verdict("c5", "t.a", Status.FAILED);
        in.results.get("c5").put("t.a", in.results.get("c5").get("t.a").withFirstBad(fb));
        in.verdict("c0", "t.a", Status.FAILED);
        assertEquals(List.of(new BisectionJobs.Finding("c0", "t.a", fb)), BisectionJobs.compute(in, 0, -3).findings());
    }
}
