package org.ktestci.bench;

import org.ktestci.coordinator.bisect.BisectionPlan;
import org.ktestci.coordinator.bisect.BisectionPlan.Mark;
import org.ktestci.coordinator.bisect.RandomMerges;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Extra jobs per first-bad-commit search (issue 14 item 3) against the gap: the untested commits between the
 * passing and the failing tested commit. Drives the production chooser ({@link BisectionPlan}) to the end of every
 * search, one verdict at a time as the coordinator does: on linear histories for every position of the culprit,
 * and on random histories with merges (a quarter of the commits merge a side branch) for 500 culprits per gap.
 * Counts runs only; how fast a search ends is a run's duration times this count plus one refill per step.
 */
public final class BisectionBench {
    private BisectionBench() {
    }

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        System.out.println("gap = untested commits between the last pass and the failure; jobs = runs until exact");
        for (int gap : new int[] {1, 2, 3, 4, 7, 8, 12, 16, 31, 32, 64, 100, 128, 256}) {
            int[] linear = linear(gap);
            int[] merged = merged(gap, new Random(seed + gap));
            System.out.printf(Locale.ROOT, "gap %3d: ceil(log2(gap+1)) = %d; linear: min %d mean %.2f max %d; "
                            + "with merges: min %d mean %.2f max %d%n", gap, ceilLog2(gap + 1), linear[0],
                    linear[1] / 100.0, linear[2], merged[0], merged[1] / 100.0, merged[2]);
        }
    }

    /** min, mean × 100, max over every culprit of a linear gap (the failing commit itself included). */
    static int[] linear(int gap) {
        Map<String, List<String>> region = new LinkedHashMap<>();
        for (int i = gap + 1; i >= 1; i--) {
            region.put("c" + i, List.of("c" + (i - 1)));
        }
        List<Integer> counts = new ArrayList<>();
        for (int culprit = 1; culprit <= gap + 1; culprit++) {
            int first = culprit;
            counts.add(search("c" + (gap + 1), region, c -> Integer.parseInt(c.substring(1)) >= first,
                    "c" + culprit));
        }
        return summary(counts);
    }

    /** The same over random histories with merges: 500 (history, culprit) pairs. */
    static int[] merged(int gap, Random rnd) {
        List<Integer> counts = new ArrayList<>();
        for (int round = 0; round < 500; round++) {
            Map<String, List<String>> parents = new LinkedHashMap<>();
            RandomMerges history = new RandomMerges("root", rnd);
            List<String> order = new ArrayList<>();
            for (int i = 1; i <= gap; i++) {
                List<String> ps = history.nextParents();
                String c = "c" + i;
                history.grew(c);
                parents.put(c, ps);
                order.add(c);
            }
            parents.put("bad", history.heads());
            order.add("bad");
            Map<String, List<String>> region = new LinkedHashMap<>();
            for (int i = order.size() - 1; i >= 0; i--) { // rev-list order: newest first
                region.put(order.get(i), parents.get(order.get(i)));
            }
            String culprit = order.get(rnd.nextInt(order.size()));
            Set<String> failing = new HashSet<>(Set.of(culprit));
            for (String c : order) {
                if (parents.get(c).stream().anyMatch(failing::contains)) {
                    failing.add(c);
                }
            }
            // Only commits the tip contains can be the culprit git finds; others never fail the tip.
            if (!BisectionPlan.contains(region, "bad", culprit)) {
                round--;
                continue;
            }
            counts.add(search("bad", region, failing::contains, culprit));
        }
        return summary(counts);
    }

    private static int search(String bad, Map<String, List<String>> region,
                              Predicate<String> fails, String culprit) {
        Map<String, Mark> marks = new HashMap<>();
        marks.put(bad, Mark.BAD);
        int jobs = 0;
        while (true) {
            BisectionPlan.Step s = BisectionPlan.next(bad, region, c -> marks.getOrDefault(c, Mark.UNTESTED));
            if (s instanceof BisectionPlan.Exact x) {
                if (!x.firstBad().equals(culprit)) {
                    throw new IllegalStateException("found " + x.firstBad() + ", culprit " + culprit);
                }
                return jobs;
            }
            String c = ((BisectionPlan.Test) s).sha();
            marks.put(c, fails.test(c) ? Mark.BAD : Mark.GOOD);
            jobs++;
        }
    }

    private static int[] summary(List<Integer> counts) {
        int min = Integer.MAX_VALUE;
        int max = 0;
        long sum = 0;
        for (int n : counts) {
            min = Math.min(min, n);
            max = Math.max(max, n);
            sum += n;
        }
        return new int[] {min, (int) Math.round(100.0 * sum / counts.size()), max};
    }

    private static int ceilLog2(int n) {
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
