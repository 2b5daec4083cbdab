package org.ktestci.bench;

import com.sun.management.ThreadMXBean;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.FullDesiredJobs;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.WindowPlanner;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Desired-job computation for 50 commits × 13,000 subtests × 2 kernels (issue: scheduler fidelity and speed):
 * the incremental {@link WindowPlanner} (production) against the spec's full computation ({@link FullDesiredJobs}),
 * cold, in the steady state where the window fills from the deepest commit, and after one new head.
 */
public final class RefillBench {
    static final int COMMITS = 50;
    static final int SUBTESTS = 13_000;
    static final int WINDOW = 2000;

    /** One branch, one group of one test with 13,000 subtests and 2 kernels; verdicts as bit sets per commit. */
    static final class Farm implements WindowPlanner.Inputs {
        final List<String> history = new ArrayList<>();
        final List<String> subtests = new ArrayList<>();
        final Map<String, Integer> keyIndex = new HashMap<>();
        final Map<String, BitSet> verdicts = new HashMap<>();
        final Map<String, Long> removals = new HashMap<>();
        final BranchSpec branch;

        Farm() {
            for (int i = 0; i < SUBTESTS; i++) {
                subtests.add("generic/" + String.format("%05d", i));
            }
            GroupSpec g = new GroupSpec("everyday", List.of("fs/bcachefs/fstests.ktest"), COMMITS, 0,
                    List.of("upstream/stable-default", "upstream/stable-kasan"), new TreeMap<>(), List.of());
            branch = new BranchSpec("master", "linux", Path.of("/srv/linux"), "", "https://example.net/linux.git",
                    "master", List.of(g));
            for (String k : g.kernels()) {
                for (String s : subtests) {
                    keyIndex.put("fs.bcachefs.fstests@" + k.replace('/', '_') + "." + s.replace('/', '.'),
                            keyIndex.size());
                }
            }
            for (int i = 0; i < COMMITS; i++) {
                history.add(sha(i));
            }
        }

        static String sha(int i) {
            return String.format(Locale.ROOT, "%040x", 0x1000000L + i);
        }

        void verdictAll(String commit) {
            BitSet b = new BitSet();
            b.set(0, keyIndex.size());
            verdicts.put(commit, b);
        }

        public List<BranchSpec> branches() {
            return List.of(branch);
        }

        public Optional<List<String>> history(BranchSpec b, int depth) {
            return Optional.of(history.subList(0, Math.min(depth, history.size())));
        }

        public Optional<List<String>> subtests(String test) {
            return Optional.of(subtests);
        }

        public boolean hasVerdict(String commit, String resultKey) {
            BitSet b = verdicts.get(commit);
            Integer i = keyIndex.get(resultKey);
            return b != null && i != null && b.get(i);
        }

        void clear(String commit) {
            if (verdicts.remove(commit) != null) {
                removals.merge(commit, 1L, Long::sum);
            }
        }

        public long removals(String commit) {
            return removals.getOrDefault(commit, 0L);
        }

        public boolean isLeased(JobKey key) {
            return false;
        }

        public Set<String> archesWithSlots() {
            return Set.of("x86_64");
        }

        public int costOf(String resultKey) {
            return 30;
        }
    }

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static long retained() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.printf(Locale.ROOT, "refill: %d commits x %d subtests x 2 kernels = %,d candidates, window %d%n",
                COMMITS, SUBTESTS, COMMITS * SUBTESTS * 2, WINDOW);
        Farm farm = new Farm();
        Figures coldPlanner = new Figures();
        Figures coldFull = new Figures();
        Figures coldAlloc = new Figures();
        for (int i = 0; i < reps + 3; i++) {
            long a = allocated();
            long t = System.nanoTime();
            int n = new WindowPlanner().compute(farm, WINDOW, Set.of()).jobs().size();
            double ms = (System.nanoTime() - t) / 1e6;
            double mib = (allocated() - a) / 1048576.0;
            check(n == WINDOW, "cold window size");
            if (i >= 3) {
                coldPlanner.add(ms);
                coldAlloc.add(mib);
            }
        }
        // The full computation materialises 1.3 M jobs: measured apart, so its garbage does not slow the rest.
        for (int i = 0; i < 4; i++) {
            long t = System.nanoTime();
            check(FullDesiredJobs.compute(farm, WINDOW).jobs().size() == WINDOW, "cold window size (full)");
            if (i >= 1) {
                coldFull.add((System.nanoTime() - t) / 1e6);
            }
        }
        retained();
        System.out.println(coldPlanner.line("cold full refill, no verdicts (incremental planner)", "ms"));
        System.out.println(coldAlloc.line("  allocated by it", "MiB"));
        System.out.println(coldFull.line("cold full refill, no verdicts (full computation, spec)", "ms"));

        // Steady state: 49 commits tested; the window fills from the deepest, untested commit.
        for (int i = 0; i < COMMITS - 1; i++) {
            farm.verdictAll(farm.history.get(i));
        }
        Figures deepCold = new Figures();
        Figures deepWarm = new Figures();
        Figures deepFull = new Figures();
        Figures newHead = new Figures();
        Figures newHeadAlloc = new Figures();
        long before = retained();
        WindowPlanner planner = new WindowPlanner();
        planner.compute(farm, WINDOW, Set.of());
        long cache = retained() - before;
        for (int i = 0; i < reps + 3; i++) {
            long t = System.nanoTime();
            new WindowPlanner().compute(farm, WINDOW, Set.of());
            double cold = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            DesiredJobs.Result warm = planner.compute(farm, WINDOW, Set.of());
            double warmMs = (System.nanoTime() - t) / 1e6;
            if (i < 4) { // the full computation is slow: a few rounds check equality and give its time
                t = System.nanoTime();
                DesiredJobs.Result full = FullDesiredJobs.compute(farm, WINDOW);
                deepFull.add((System.nanoTime() - t) / 1e6);
                check(warm.jobs().equals(full.jobs()), "planner = full computation");
                retained();
            }
            // One new head: a fresh commit at the tip; the deepest one falls out of max_commits.
            String head = Farm.sha(100_000 + i);
            farm.history.add(0, head);
            farm.history.remove(farm.history.size() - 1);
            long a = allocated();
            t = System.nanoTime();
            DesiredJobs.Result inc = planner.compute(farm, WINDOW, Set.of());
            double incMs = (System.nanoTime() - t) / 1e6;
            double incMib = (allocated() - a) / 1048576.0;
            check(inc.jobs().get(0).key().commit().equals(head), "the new head comes first");
            farm.verdictAll(head); // tested before the next round
            farm.clear(farm.history.get(farm.history.size() - 1)); // keep the deepest untested (an admin re-run)
            if (i >= 3) {
                deepCold.add(cold);
                deepWarm.add(warmMs);
                newHead.add(incMs);
                newHeadAlloc.add(incMib);
            }
        }
        System.out.println(deepCold.line("steady state, window from the deepest commit (planner, cold)", "ms"));
        System.out.println(deepWarm.line("steady state, periodic refill (planner, warm caches)", "ms"));
        System.out.println(deepFull.line("steady state (full computation, spec)", "ms"));
        System.out.println(newHead.line("incremental refill after one new head (planner)", "ms"));
        System.out.println(newHeadAlloc.line("  allocated by it", "MiB"));
        System.out.printf(Locale.ROOT, "%-58s %10.1f MiB%n", "planner caches retained (matrix + per-commit lists)",
                cache / 1048576.0);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark self-check failed: " + what);
        }
    }
}
