package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures are re-run (issue 14 item 4), from the results alone. */
class FlakeRerunsTest {
    /** Branch main walks c0 (tip) .. c3; group g runs t.ktest's subtests a and b on the last 3 commits. */
    final LinearResults in = new LinearResults(4, 3, 4);

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
        in.verdict("c0", "t.a", Status.FAILED);
        in.verdict("c1", "t.a", Status.PASSED);
        assertEquals(List.of("c0/t.a#1"), reruns(2));
        in.verdict("c0", "t.a", Status.FAILED, Status.FAILED);
        assertEquals(List.of("c0/t.a#2"), reruns(2));
        in.verdict("c0", "t.a", Status.FAILED, Status.FAILED, Status.FAILED);
        assertEquals(List.of(), reruns(2), "flake_retries re-runs all failed: a real failure");
        in.verdict("c0", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of(), reruns(2), "flaky: no more re-runs");
        assertEquals(List.of(), reruns(0), "flake_retries = 0 turns re-runs off");
    }

    @Test
    void onlyNewFailuresAreReRun() throws Exception {
        in.verdict("c0", "t.a", Status.FAILED);
        in.verdict("c1", "t.a", Status.FAILED);
        in.verdict("c2", "t.a", Status.PASSED);
        assertEquals(List.of("c1/t.a#1"), reruns(2), "c0 fails as c1 did: not new");
        in.verdict("c1", "t.a", Status.FAILED, Status.PASSED);
        assertEquals(List.of("c0/t.a#1"), reruns(2), "c1's failure was flaky: c0's is new");
        in.verdict("c0", "t.b", Status.FAILED);
        in.verdict("c1", "t.b", Status.INPROGRESS);
        assertTrue(reruns(2).contains("c0/t.b#1"), "no older verdict: new");
        in.verdict("c3", "t.b", Status.FAILED);
        assertFalse(reruns(2).contains("c0/t.b#1"), "the nearest older verdict (c3, past max_commits but in the "
                + "walk) failed too: not new");
    }

    @Test
    void aRerunIsAJobOfItsOwnFirstInTheWindowAwayFromTheFirstHost() throws Exception {
        in.verdict("c2", "t.b", Status.FAILED);
        List<Job> jobs = FlakeReruns.compute(in, 2, -7);
        assertEquals(1, jobs.size());
        Job j = jobs.get(0);
        assertEquals(new JobKey("c2", "t.ktest", "b", "", "", "", 1), j.key());
        assertEquals(-7, j.weight());
        assertEquals("h1", j.avoidHost());
        assertEquals(List.of(new Source("https://git.example.org/linux", "main")), j.sources());
        in.excluded.add(j.key());
        assertEquals(List.of(), FlakeReruns.compute(in, 2, -7), "leased or decided: not wanted again");
        in.excluded.clear();
        in.verdict("c3", "t.a", Status.FAILED);
        assertEquals(List.of("c2/t.b#1"), reruns(2), "c3 is beyond the group's max_commits");
        in.arches = Set.of("aarch64");
        assertEquals(List.of(), reruns(2), "no slot of its arch");
    }
}
