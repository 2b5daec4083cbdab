package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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

        public void collision(String key, JobKey kept, JobKey dropped) {
            collisions.add(key);
        }

        BranchSpec branch(String name, List<String> history, GroupSpec... groups) {
            BranchSpec b = new BranchSpec(name, "linux", java.nio.file.Path.of("/repo"), "", "/up/" + name, name,
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

    /** scheduling.md §3 step 5 as written, independent of the production comparators. */
    static final java.util.Comparator<Job> SPEC_ORDER = java.util.Comparator.<Job>comparingInt(Job::weight)
            .thenComparing(j -> j.key().commit(), org.ktestci.schema.keys.Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(j -> -j.cost())
            .thenComparing(j -> j.key().test(), org.ktestci.schema.keys.Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().kernel(), org.ktestci.schema.keys.Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().env(), org.ktestci.schema.keys.Utf8ByteOrder.COMPARATOR)
            .thenComparing(j -> j.key().archId(), org.ktestci.schema.keys.Utf8ByteOrder.COMPARATOR)
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
                expected.get(5)).stream().sorted(java.util.Comparator.comparing((String x) ->
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
        f.branches.add(new BranchSpec("never", "linux", java.nio.file.Path.of("/r"), "", "/up", "never",
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
            java.util.Collections.shuffle(tests, rnd);
            List<String> kernels = rnd.nextInt(3) == 0 ? List.of("k/one", "k/two") : rnd.nextBoolean() ? List.of("k/one")
                    : List.of();
            List<String> arch = List.of(List.<String>of(), List.of("x86_64"), List.of("aarch64"),
                    List.of("x86_64", "aarch64")).get(rnd.nextInt(4));
            groups.add(group("g" + i, tests.subList(0, 1 + rnd.nextInt(3)), 1 + rnd.nextInt(5), rnd.nextInt(6) - 2,
                    kernels, arch));
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
            java.util.Collections.shuffle(gs, rnd);
            f.branch("b" + b, h, gs.subList(0, 1 + rnd.nextInt(gs.size())).toArray(GroupSpec[]::new));
        }
        f.arches = List.of(Set.of("x86_64"), Set.of("aarch64"), Set.of("x86_64", "aarch64")).get(rnd.nextInt(3));
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
        String key = org.ktestci.schema.keys.ResultKeys.key(org.ktestci.schema.keys.ResultKeys.basename(test, kernel,
                "", archId), sub);
        switch (rnd.nextInt(6)) {
            case 0, 1, 2 -> f.verdicts.add(commit + " " + key);
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
