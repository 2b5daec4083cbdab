package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.keys.ResultKeys;
import org.ktestci.schema.keys.Utf8ByteOrder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The desired-job computation of scheduling.md §3 with exact expected sequences, and the incremental
 * {@link WindowPlanner} checked against the full computation ({@link FullDesiredJobs}) on random farms.
 */
class DesiredJobsTest {
    /** Branch histories, listings, verdicts and leases held in memory; both computations read the same. */
    static final class Farm implements WindowPlanner.Inputs {
        final List<BranchSpec> branches = new ArrayList<>();
        final Map<String, List<String>> histories = new HashMap<>();
        final Map<String, List<String>> listings = new HashMap<>();
        final Set<String> verdicts = new HashSet<>();
        /** "commit key" of verdicts that are failures (also in {@link #verdicts}). */
        final Set<String> failed = new HashSet<>();
        final Set<JobKey> leased = new HashSet<>();
        final Map<String, Long> removals = new HashMap<>();
        Set<String> arches = Set.of("x86_64", "aarch64");
        final List<String> collisions = new ArrayList<>();

        public List<BranchSpec> branches() {
            return branches;
        }

        public Optional<List<String>> history(BranchSpec b, int depth) {
            List<String> h = histories.get(b.name());
            return h == null ? Optional.empty() : Optional.of(h.subList(0, Math.min(depth, h.size())));
        }

        public Optional<List<String>> subtests(String test) {
            return Optional.ofNullable(listings.get(test));
        }

        public boolean hasVerdict(String commit, String key) {
            return verdicts.contains(commit + " " + key);
        }

        public boolean isLeased(JobKey key) {
            return leased.contains(key);
        }

        public Optional<Set<String>> failures(String commit) {
            if (verdicts.stream().noneMatch(v -> v.startsWith(commit + " "))) {
                return Optional.empty();
            }
            Set<String> keys = new HashSet<>();
            failed.stream().filter(v -> v.startsWith(commit + " ") && verdicts.contains(v))
                    .forEach(v -> keys.add(v.substring(commit.length() + 1)));
            return Optional.of(keys);
        }

        public Set<String> archesWithSlots() {
            return arches;
        }

        /** Estimated seconds by result key; others get 10..14 from their hash. */
        final Map<String, Integer> costs = new HashMap<>();

        public int costOf(String key) {
            return costs.getOrDefault(key, 10 + Math.floorMod(key.hashCode(), 5));
        }

        public long removals(String commit) {
            return removals.getOrDefault(commit, 0L);
        }

        int keep;

        public int keepResultsCommits() {
            return keep;
        }

        public void collision(String key, JobKey kept, JobKey dropped) {
            collisions.add(key);
        }

        BranchSpec branch(String name, List<String> history, GroupSpec... groups) {
            BranchSpec b = new BranchSpec(name, "linux", Path.of("/repo"), "", "/up/" + name, name,
                    List.of(groups));
            branches.add(b);
            histories.put(name, new ArrayList<>(history));
            return b;
        }
    }

    static GroupSpec group(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                           List<String> arch) {
        return new GroupSpec(name, tests, maxCommits, priority, kernels, new TreeMap<>(), arch);
    }

    private static List<String> describe(List<Job> jobs) {
        return jobs.stream().map(j -> j.key().commit() + ":" + j.resultKey() + ":" + j.weight()).toList();
    }

    @Test
    void ordersByWeightThenCommitAndListingAndDedupsAcrossBranchesAndGroups() throws Exception {
        Farm f = new Farm();
        f.listings.put("t.ktest", List.of("b", "a"));
        f.costs.put("t.a", 10);
        f.costs.put("t.b", 10);
        GroupSpec g = group("g", List.of("t.ktest"), 2, 0, List.of(), List.of());
        GroupSpec late = group("late", List.of("t.ktest"), 3, 2, List.of(), List.of());
        f.branch("main", List.of("c3", "c2", "c1"), g, late);
        f.branch("old", List.of("c2", "c1"), g);
        f.verdicts.add("c3 t.a");
        DesiredJobs.Result r = FullDesiredJobs.compute(f, 100);
        // Weight 0: c3 (age 0 on main; a has a verdict) and c2 (age 0 on old); ties sort by commit,
        // then listing order (b before a). Weight 1: c1 from old (age 1). Group "late" (priority 2) adds nothing
        // new: its candidates are the same jobs at higher weights.
        assertEquals(List.of("c2:t.b:0", "c2:t.a:0", "c3:t.b:0", "c1:t.b:1", "c1:t.a:1"), describe(r.jobs()));
        Job shared = r.jobs().get(0);
        assertEquals("old", shared.branch(), "c2 is age 0 on old (weight 0), age 1 on main: the smallest weight owns it");
        assertEquals(List.of(new Source("/up/main", "main"), new Source("/up/old", "old")), shared.sources());
        assertEquals(describe(r.jobs()), describe(new WindowPlanner().compute(f, 100, Set.of()).jobs()));
    }

    @Test
    void withinACommitTheLongestSubtestsGoFirstAcrossItsTestsAndGroups() throws Exception {
        Farm f = new Farm();
        f.listings.put("a.ktest", List.of("quick", "slow", "mid"));
        f.listings.put("b.ktest", List.of("long", "short"));
        Map.of("a.quick", 5, "a.slow", 300, "a.mid", 60, "b.long", 200, "b.short", 60).forEach(f.costs::put);
        GroupSpec ga = group("ga", List.of("a.ktest"), 2, 0, List.of(), List.of());
        GroupSpec gb = group("gb", List.of("b.ktest"), 2, 0, List.of(), List.of());
        f.branch("main", List.of("c2", "c1"), ga, gb);
        DesiredJobs.Result r = FullDesiredJobs.compute(f, 100);
        // Newest commit first, as before; within it, -cost across both tests and groups; equal costs by test.
        assertEquals(List.of("c2:a.slow:0", "c2:b.long:0", "c2:a.mid:0", "c2:b.short:0", "c2:a.quick:0",
                "c1:a.slow:1", "c1:b.long:1", "c1:a.mid:1", "c1:b.short:1", "c1:a.quick:1"), describe(r.jobs()));
        assertEquals(describe(r.jobs()), describe(new WindowPlanner().compute(f, 100, Set.of()).jobs()));
        assertEquals(describe(r.jobs().subList(0, 3)), describe(new WindowPlanner().compute(f, 3, Set.of()).jobs()),
                "a truncated window keeps the longest of the newest commit");
    }

    @Test
    void failuresFirstPutsKeysThatFailedOnTheBranchsLastTestedCommitsAheadWithinACommit() throws Exception {
        Farm f = new Farm();
        f.listings.put("a.ktest", List.of("long", "mid", "flaky", "old"));
        f.listings.put("b.ktest", List.of("short"));
        Map.of("a.long", 300, "a.mid", 60, "a.flaky", 40, "a.old", 30, "b.short", 5).forEach(f.costs::put);
        GroupSpec g = group("g", List.of("a.ktest", "b.ktest"), 5, 0, List.of(), List.of()).withFailuresFirst(2);
        // c4 is the new head, c3 untested, c2 and c1 tested (the last two), c0 tested but a third back.
        f.branch("main", List.of("c4", "c3", "c2", "c1", "c0"), g);
        fail(f, "c2", "b.short");
        fail(f, "c1", "a.mid");
        fail(f, "c0", "a.old");
        for (String c : List.of("c2", "c1", "c0")) {
            for (String k : List.of("a.long", "a.mid", "a.flaky", "a.old", "b.short")) {
                f.verdicts.add(c + " " + k);
            }
        }
        DesiredJobs.Result r = FullDesiredJobs.compute(f, 100);
        // Within each commit: the recent failures (b.short from c2, a.mid from c1) by -cost, then the rest by -cost;
        // a.old failed only on c0, the third tested commit back, so it takes its usual place.
        assertEquals(List.of("c4:a.mid:0", "c4:b.short:0", "c4:a.long:0", "c4:a.flaky:0", "c4:a.old:0",
                "c3:a.mid:1", "c3:b.short:1", "c3:a.long:1", "c3:a.flaky:1", "c3:a.old:1"), describe(r.jobs()));
        assertTrue(r.jobs().get(0).recentFailure() && !r.jobs().get(2).recentFailure());
        assertEquals(r.jobs(), new WindowPlanner().compute(f, 100, Set.of()).jobs());

        // c4 tested (its verdict passes): c1 is now the third tested commit back, and a.mid's failure no longer counts.
        f.verdicts.add("c4 a.long");
        List<String> after = describe(FullDesiredJobs.compute(f, 100).jobs());
        assertEquals(List.of("c4:b.short:0", "c4:a.mid:0", "c4:a.flaky:0", "c4:a.old:0"), after.subList(0, 4));
        assertEquals(after, describe(new WindowPlanner().compute(f, 100, Set.of()).jobs()));

        // The same commits in the default order: longest first, failures or not.
        Farm plain = new Farm();
        plain.listings.putAll(f.listings);
        plain.costs.putAll(f.costs);
        plain.verdicts.addAll(f.verdicts);
        plain.failed.addAll(f.failed);
        plain.branch("main", List.of("c4", "c3", "c2", "c1", "c0"), group("g", List.of("a.ktest", "b.ktest"), 5, 0,
                List.of(), List.of()));
        assertEquals(List.of("c4:a.mid:0", "c4:a.flaky:0", "c4:a.old:0", "c4:b.short:0"),
                describe(FullDesiredJobs.compute(plain, 4).jobs()));
    }

    @Test
    void aJobTwoStreamsGenerateAtOneWeightTakesTheFirstGeneratorsOrder() throws Exception {
        Farm f = new Farm();
        f.listings.put("t.ktest", List.of("x", "y"));
        f.costs.put("t.x", 50);
        f.costs.put("t.y", 10);
        // Both branches reach c2 at age 0 with the same group name: first, which does not flag t.y, owns the job.
        GroupSpec plain = group("g", List.of("t.ktest"), 3, 0, List.of(), List.of());
        GroupSpec flagged = group("h", List.of("t.ktest"), 3, 0, List.of(), List.of()).withFailuresFirst(5);
        f.branch("first", List.of("c2", "c1"), plain);
        f.branch("second", List.of("c2", "c0"), flagged);
        f.verdicts.add("c0 t.y");
        f.failed.add("c0 t.y");
        List<Job> expected = FullDesiredJobs.compute(f, 100).jobs();
        Job y = expected.stream().filter(j -> j.key().commit().equals("c2") && j.resultKey().equals("t.y"))
                .findFirst().orElseThrow();
        assertEquals("first", y.branch());
        assertTrue(!y.recentFailure(), "owned by the first generator, which does not flag it");
        assertEquals(expected, new WindowPlanner().compute(f, 100, Set.of()).jobs());
        assertEquals(List.of("c2:t.x:0", "c2:t.y:0", "c0:t.x:1", "c1:t.x:1", "c1:t.y:1"), describe(expected));
    }

    private static void fail(Farm f, String commit, String key) {
        f.verdicts.add(commit + " " + key);
        f.failed.add(commit + " " + key);
    }

    /** scheduling.md §3 step 5 as written, independent of the production comparators. */
    static final Comparator<Job> SPEC_ORDER = Comparator.<Job>comparingInt(Job::weight)
            .thenComparing(j -> j.key().commit(), Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(j -> j.recentFailure() ? 0 : 1)
            .thenComparingInt(j -> -j.cost())
            .thenComparing(j -> j.key().test(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().kernel(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().env(), Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().archId(), Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(Job::listingIndex);

    @Test
    void expandsKernelsAndArchIdsIntoResultKeysAndAPriorityRanksLikeOlderCommits() throws Exception {
        Farm f = new Farm();
        f.listings.put("fs/ec.ktest", List.of("ec"));
        f.branch("main", List.of("c2", "c1"),
                group("k", List.of("fs/ec.ktest"), 2, 0, List.of("upstream/kasan", "upstream/lockdep"), List.of()),
                group("arch", List.of("fs/ec.ktest"), 1, 1, List.of(), List.of("x86_64", "aarch64")));
        List<String> expected = List.of(
                "c2:fs.ec@upstream_kasan.ec:0", "c2:fs.ec@upstream_lockdep.ec:0",
                "c1:fs.ec@upstream_kasan.ec:1", "c1:fs.ec@upstream_lockdep.ec:1",
                "c2:fs.ec@arch=aarch64.ec:1", "c2:fs.ec@arch=x86_64.ec:1");
        List<String> got = describe(FullDesiredJobs.compute(f, 100).jobs());
        // Weight 1 sorts by commit first: c1 before c2, then kernel, env, arch id.
        assertEquals(List.of(expected.get(0), expected.get(1), expected.get(2), expected.get(3), expected.get(4),
                expected.get(5)).stream().sorted(Comparator.comparing((String x) ->
                x.substring(x.lastIndexOf(':') + 1)).thenComparing(x -> x.substring(0, 2))).toList(), got);
        assertEquals(got, describe(new WindowPlanner().compute(f, 100, Set.of()).jobs()));
    }

    @Test
    void keepsJobsWithoutAnAllowedArchOutAndCountsThemPerArch() throws Exception {
        Farm f = new Farm();
        f.listings.put("t.ktest", List.of("a", "b"));
        f.arches = Set.of("x86_64");
        f.branch("main", List.of("c1"), group("arm", List.of("t.ktest"), 5, 0, List.of(), List.of("aarch64")));
        DesiredJobs.Result r = FullDesiredJobs.compute(f, 100);
        assertTrue(r.jobs().isEmpty());
        assertEquals(Map.of("aarch64", 2), r.unschedulable());
        assertEquals(Map.of("aarch64", 2), new WindowPlanner().compute(f, 100, Set.of()).unschedulable());
    }

    @Test
    void truncatesToTheWindowKeepingTheBestJobsAndSkipsUnfetchedBranches() throws Exception {
        Farm f = new Farm();
        f.listings.put("t.ktest", List.of("b", "a"));
        f.costs.put("t.a", 10);
        f.costs.put("t.b", 10); // equal estimates: listing order
        f.branch("main", List.of("c4", "c3", "c2", "c1"), group("g", List.of("t.ktest"), 50, 0, List.of(), List.of()));
        f.branches.add(new BranchSpec("never", "linux", Path.of("/r"), "", "/up", "never",
                List.of(group("g", List.of("t.ktest"), 50, 0, List.of(), List.of()))));
        DesiredJobs.Result r = FullDesiredJobs.compute(f, 3);
        assertEquals(8, r.desiredBeforeTruncation());
        assertEquals(List.of("c4:t.b:0", "c4:t.a:0", "c3:t.b:1"), describe(r.jobs()));
        assertEquals(describe(r.jobs()), describe(new WindowPlanner().compute(f, 3, Set.of()).jobs()));
    }

    @Test
    void aResultKeyCollisionKeepsTheFirstJobInGenerationOrder() throws Exception {
        Farm f = new Farm();
        f.listings.put("a/b.ktest", List.of("c"));
        f.listings.put("a.ktest", List.of("b/c"));
        f.branch("main", List.of("c1"), group("g", List.of("a/b.ktest"), 1, 5, List.of(), List.of()),
                group("h", List.of("a.ktest"), 1, 0, List.of(), List.of()));
        List<Job> jobs = FullDesiredJobs.compute(f, 10).jobs();
        assertEquals(1, jobs.size());
        assertEquals("a/b.ktest", jobs.get(0).key().test(), "group g comes first in the branch, whatever its weight");
        assertEquals(List.of("a.b.c"), f.collisions);
        assertEquals(jobs, new WindowPlanner().compute(f, 10, Set.of()).jobs());
    }

    @Test
    void aNewHeadCostsOnlyItsOwnJobsAndTheResultStaysThatOfTheFullComputation() throws Exception {
        Farm f = new Farm();
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            subs.add("s" + i);
        }
        f.listings.put("t.ktest", subs);
        List<String> history = new ArrayList<>(List.of("c3", "c2", "c1"));
        f.branch("main", history, group("g", List.of("t.ktest"), 10, 0, List.of(), List.of()));
        for (String c : history) {
            subs.forEach(s -> f.verdicts.add(c + " t." + s));
        }
        CountingFarm counted = new CountingFarm(f);
        WindowPlanner planner = new WindowPlanner();
        assertTrue(planner.compute(counted, 20, Set.of()).jobs().isEmpty());
        assertEquals(150, counted.lookups, "first refill: every candidate is looked up once");
        f.histories.get("main").add(0, "c4");
        counted.lookups = 0;
        DesiredJobs.Result r = planner.compute(counted, 20, Set.of());
        assertEquals(50, counted.lookups, "after a new head only the new commit's candidates are looked up");
        assertEquals(FullDesiredJobs.compute(f, 20).jobs(), r.jobs());
    }

    /** Counts verdict lookups, to show what a refill costs. */
    static final class CountingFarm implements WindowPlanner.Inputs {
        final Farm f;
        int lookups;

        CountingFarm(Farm f) {
            this.f = f;
        }

        public List<BranchSpec> branches() {
            return f.branches();
        }

        public Optional<List<String>> history(BranchSpec b, int d) {
            return f.history(b, d);
        }

        public Optional<List<String>> subtests(String t) {
            return f.subtests(t);
        }

        public boolean hasVerdict(String c, String k) {
            lookups++;
            return f.hasVerdict(c, k);
        }

        public boolean isLeased(JobKey k) {
            return f.isLeased(k);
        }

        public Set<String> archesWithSlots() {
            return f.archesWithSlots();
        }

        public int costOf(String k) {
            return f.costOf(k);
        }
    }

    @Test
    void theIncrementalPlannerGivesTheFullComputationsJobsOnRandomFarms() throws Exception {
        for (long seed = 1; seed <= 400; seed++) {
            Random rnd = new Random(seed);
            Farm f = randomFarm(rnd);
            WindowPlanner planner = new WindowPlanner();
            int window = 1 + rnd.nextInt(40);
            for (int round = 0; round < 4; round++) {
                List<Job> expected = FullDesiredJobs.compute(f, window).jobs();
                List<Job> got = planner.compute(f, window, Set.of()).jobs();
                assertEquals(expected, got, "seed " + seed + " round " + round);
                for (int i = 1; i < got.size(); i++) {
                    assertTrue(SPEC_ORDER.compare(got.get(i - 1), got.get(i)) <= 0, "seed " + seed + " round " + round
                            + ": window order at " + i + ": " + got.get(i - 1) + " before " + got.get(i));
                }
                mutate(f, rnd);
            }
        }
    }

    private static final List<String> TESTS = List.of("t.ktest", "fs/x.ktest", "a/b.ktest", "a.ktest");

    private static Farm randomFarm(Random rnd) {
        Farm f = new Farm();
        for (String t : TESTS) {
            List<String> subs = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                String s = List.of("c", "b/c", "x", "y", "z", "gen/001").get(rnd.nextInt(6));
                if (!subs.contains(s)) {
                    subs.add(s);
                }
            }
            f.listings.put(t, subs);
        }
        List<GroupSpec> groups = new ArrayList<>();
        int ng = 1 + rnd.nextInt(3);
        for (int i = 0; i < ng; i++) {
            List<String> tests = new ArrayList<>(TESTS);
            Collections.shuffle(tests, rnd);
            List<String> kernels = rnd.nextInt(3) == 0 ? List.of("k/one", "k/two") : rnd.nextBoolean() ? List.of("k/one")
                    : List.of();
            List<String> arch = List.of(List.<String>of(), List.of("x86_64"), List.of("aarch64"),
                    List.of("x86_64", "aarch64")).get(rnd.nextInt(4));
            GroupSpec g = group("g" + i, tests.subList(0, 1 + rnd.nextInt(3)), 1 + rnd.nextInt(5), rnd.nextInt(6) - 2,
                    kernels, arch);
            groups.add(rnd.nextBoolean() ? g.withFailuresFirst(1 + rnd.nextInt(3)) : g);
        }
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pool.add(String.format("%040x", i + 1));
        }
        int nb = 1 + rnd.nextInt(3);
        for (int b = 0; b < nb; b++) {
            int start = rnd.nextInt(5);
            List<String> h = new ArrayList<>();
            for (int i = start + 2 + rnd.nextInt(5); i >= start; i--) {
                h.add(pool.get(i));
            }
            List<GroupSpec> gs = new ArrayList<>(groups);
            Collections.shuffle(gs, rnd);
            f.branch("b" + b, h, gs.subList(0, 1 + rnd.nextInt(gs.size())).toArray(GroupSpec[]::new));
        }
        f.arches = List.of(Set.of("x86_64"), Set.of("aarch64"), Set.of("x86_64", "aarch64")).get(rnd.nextInt(3));
        f.keep = rnd.nextInt(10); // failures_first looks back this far when it is deeper than max_commits
        for (int i = 0; i < 10; i++) {
            mutate(f, rnd);
        }
        return f;
    }

    /** Verdicts appear, jobs get leased, a branch gets a new head, and sometimes verdicts are cleared. */
    private static void mutate(Farm f, Random rnd) {
        BranchSpec b = f.branches.get(rnd.nextInt(f.branches.size()));
        List<String> h = f.histories.get(b.name());
        String commit = h.get(rnd.nextInt(h.size()));
        GroupSpec g = b.groups().get(rnd.nextInt(b.groups().size()));
        String test = g.tests().get(rnd.nextInt(g.tests().size()));
        List<String> subs = f.listings.get(test);
        String sub = subs.get(rnd.nextInt(subs.size()));
        String kernel = g.kernels().isEmpty() ? "" : g.kernels().get(rnd.nextInt(g.kernels().size()));
        String archId = g.arch().size() >= 2 ? g.arch().get(rnd.nextInt(2)) : "";
        String key = ResultKeys.key(ResultKeys.basename(test, kernel,
                "", archId), sub);
        switch (rnd.nextInt(6)) {
            case 0, 1, 2 -> {
                f.verdicts.add(commit + " " + key);
                if (rnd.nextInt(3) == 0) {
                    f.failed.add(commit + " " + key);
                }
            }
            case 3 -> f.leased.add(new JobKey(commit, test, sub, kernel, "", archId));
            case 4 -> h.add(0, String.format("%040x", 1000 + rnd.nextInt(100000)));
            default -> {
                if (f.verdicts.removeIf(v -> v.startsWith(commit + " "))) {
                    f.removals.merge(commit, 1L, Long::sum);
                }
            }
        }
    }
}
