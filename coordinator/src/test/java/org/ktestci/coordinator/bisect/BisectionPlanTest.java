package org.ktestci.coordinator.bisect;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.bisect.BisectionPlan.Mark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bisection chooser on its own: linear histories, merges, flake waits, untestable commits, and git's choice. */
class BisectionPlanTest {

    /** good = c0, then c1..c{n}, bad = c{n+1}: newest first, as the region is. */
    private static Map<String, List<String>> linear(int n) {
        Map<String, List<String>> region = new LinkedHashMap<>();
        for (int i = n + 1; i >= 1; i--) {
            region.put("c" + i, List.of("c" + (i - 1)));
        }
        return region;
    }

    /** Runs a search to its end where commits {@code firstBad} and later fail; returns the tested commits. */
    private static List<String> search(String bad, Map<String, List<String>> region, Set<String> failing,
                                       Map<String, Mark> known, BisectionPlan.Step[] last) {
        Map<String, Mark> marks = new HashMap<>(known);
        List<String> tested = new ArrayList<>();
        while (true) {
            BisectionPlan.Step s = BisectionPlan.next(bad, region, c -> marks.getOrDefault(c, Mark.UNTESTED));
            if (!(s instanceof BisectionPlan.Test t)) {
                last[0] = s;
                return tested;
            }
            tested.add(t.sha());
            marks.put(t.sha(), failing.contains(t.sha()) ? Mark.BAD : Mark.GOOD);
        }
    }

    @Test
    void pinsARegressionAmongTwelveUntestedCommitsInAtMostFourRuns() {
        Map<String, List<String>> region = linear(12);
        for (int first = 1; first <= 13; first++) {
            Set<String> failing = new HashSet<>();
            for (int i = first; i <= 13; i++) {
                failing.add("c" + i);
            }
            BisectionPlan.Step[] end = new BisectionPlan.Step[1];
            List<String> tested = search("c13", region, failing, Map.of("c13", Mark.BAD), end);
            BisectionPlan.Exact exact = assertInstanceOf(BisectionPlan.Exact.class, end[0]);
            assertEquals("c" + first, exact.firstBad());
            assertEquals(List.of("c" + (first - 1)), exact.parents());
            assertTrue(tested.size() <= 4, "ceil(log2(13)) runs at most: " + tested);
        }
    }

    @Test
    void firstPickIsTheMidpointAndAParentThatPassedEndsItAtOnce() {
        BisectionPlan.Step s = BisectionPlan.next("c13", linear(12), c -> c.equals("c13") ? Mark.BAD : Mark.UNTESTED);
        // c7 contains 7 of the 12 candidates, c6 6: both leave 6 on one side; git takes the first in rev-list order.
        assertEquals(new BisectionPlan.Test("c7", 12), s);
        Map<String, List<String>> adjacent = new LinkedHashMap<>();
        adjacent.put("b", List.of("g"));
        assertEquals(new BisectionPlan.Exact("b", List.of("g")),
                BisectionPlan.next("b", adjacent, c -> c.equals("b") ? Mark.BAD : Mark.UNTESTED));
    }

    @Test
    void waitsForFlakeRerunsAndStopsAtAnUntestableCandidate() {
        assertEquals(new BisectionPlan.Wait("c13"), BisectionPlan.next("c13", linear(12),
                c -> c.equals("c13") ? Mark.BAD_UNSETTLED : Mark.UNTESTED));
        BisectionPlan.Step s = BisectionPlan.next("c13", linear(12),
                c -> c.equals("c13") ? Mark.BAD : c.equals("c7") ? Mark.UNTESTABLE : Mark.UNTESTED);
        BisectionPlan.Range r = assertInstanceOf(BisectionPlan.Range.class, s);
        assertEquals("c13", r.bad());
        assertEquals("c7", r.untestable());
        assertEquals(12, r.candidates().size());
        // A failing candidate that passed nothing yet moves the bad end down: the search continues below it.
        assertEquals(new BisectionPlan.Test("c3", 5), BisectionPlan.next("c13", linear(12),
                c -> c.equals("c13") || c.equals("c6") ? Mark.BAD : Mark.UNTESTED));
    }

    @Test
    void aMergeCountsItsSideBranchAsGitBisectDoes() {
        // g ─ a1 ─ a2 ─ m ─ bad        s1, s2 branch off g and merge at m; the regression is s2.
        //   └ s1 ─ s2 ┘
        Map<String, List<String>> region = new LinkedHashMap<>();
        region.put("bad", List.of("m"));
        region.put("m", List.of("a2", "s2"));
        region.put("s2", List.of("s1"));
        region.put("a2", List.of("a1"));
        region.put("s1", List.of("g"));
        region.put("a1", List.of("g"));
        Set<String> failing = Set.of("s2", "m", "bad");
        BisectionPlan.Step[] end = new BisectionPlan.Step[1];
        List<String> tested = search("bad", region, failing, Map.of("bad", Mark.BAD), end);
        assertEquals(new BisectionPlan.Exact("s2", List.of("s1")), end[0]);
        assertTrue(tested.size() <= 3, tested.toString());
        // The merge itself is the first bad when both of its sides pass.
        List<String> merge = search("bad", region, Set.of("m", "bad"), Map.of("bad", Mark.BAD), end);
        assertEquals(new BisectionPlan.Exact("m", List.of("a2", "s2")), end[0]);
        assertTrue(merge.containsAll(List.of("a2", "s2")), "both parents were tested: " + merge);
    }

    /**
     * Against {@code git rev-list --bisect} on random histories with merges: at every step, the commit chosen
     * splits the candidates exactly as well as git's choice (the same commit unless several tie), and the search
     * ends at the commit that introduced the failure.
     */
    @Test
    void choosesAsGitBisectOnRandomHistoriesWithMerges(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(gitAvailable() || System.getenv("CI") != null, "git not installed");
        Random rnd = new Random(14);
        for (int round = 0; round < 25; round++) {
            Path repoDir = dir.resolve("r" + round);
            try (Git git = Git.init().setDirectory(repoDir.toFile()).setBare(true).call()) {
                Repository repo = git.getRepository();
                List<String> all = new ArrayList<>();
                Map<String, List<String>> parents = new HashMap<>();
                String root = TestRepos.commit(repo, "root", 1_700_000_000L);
                all.add(root);
                parents.put(root, List.of());
                RandomMerges history = new RandomMerges(root, rnd);
                int n = 8 + rnd.nextInt(25);
                for (int i = 1; i <= n; i++) {
                    List<String> ps = history.nextParents();
                    String c = TestRepos.commit(repo, "c" + i, 1_700_000_000L + 60L * i, ps.toArray(String[]::new));
                    history.grew(c);
                    all.add(c);
                    parents.put(c, ps);
                }
                List<String> heads = history.heads();
                String tip = TestRepos.commit(repo, "tip", 1_700_000_000L + 60L * (n + 1),
                        heads.toArray(String[]::new));
                all.add(tip);
                parents.put(tip, heads);
                String culprit = all.get(1 + rnd.nextInt(all.size() - 1));
                Set<String> failing = descendants(culprit, all, parents);
                Set<String> good = new HashSet<>(List.of(root));
                Map<String, Mark> marks = new HashMap<>();
                marks.put(root, Mark.GOOD);
                marks.put(tip, Mark.BAD);
                String bad = tip;
                for (int step = 0; step < 64; step++) {
                    Map<String, List<String>> region = BisectionGraph.region(repo, bad, good, 1000).orElseThrow();
                    BisectionPlan.Step s = BisectionPlan.next(bad, region, c -> marks.getOrDefault(c, Mark.UNTESTED));
                    if (s instanceof BisectionPlan.Exact x) {
                        assertEquals(culprit, x.firstBad(), "round " + round);
                        break;
                    }
                    String ours = assertInstanceOf(BisectionPlan.Test.class, s).sha();
                    String gits = git(repoDir, bad, good);
                    Set<String> candidates = BisectionPlan.candidates(bad, region, c -> marks.getOrDefault(c,
                            Mark.UNTESTED));
                    assertEquals(distance(gits, candidates, region), distance(ours, candidates, region),
                            "round " + round + " step " + step + ": git chose " + gits + ", we chose " + ours);
                    if (failing.contains(ours)) {
                        marks.put(ours, Mark.BAD);
                        bad = ours;
                    } else {
                        marks.put(ours, Mark.GOOD);
                        good.add(ours);
                    }
                }
            }
        }
    }

    private static int distance(String c, Set<String> candidates, Map<String, List<String>> region) {
        int w = 0;
        for (String a : BisectionPlan.reach(List.of(c), region)) {
            w += candidates.contains(a) ? 1 : 0;
        }
        return Math.min(w, candidates.size() + 1 - w);
    }

    private static Set<String> descendants(String of, List<String> all, Map<String, List<String>> parents) {
        Set<String> out = new HashSet<>(Set.of(of));
        for (String c : all) { // oldest first: parents come before children
            if (parents.get(c).stream().anyMatch(out::contains)) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean gitAvailable() {
        try {
            return new ProcessBuilder("git", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String git(Path repo, String bad, Set<String> good) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir", repo.toString(), "rev-list", "--bisect", bad,
                "--not"));
        cmd.addAll(good);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
