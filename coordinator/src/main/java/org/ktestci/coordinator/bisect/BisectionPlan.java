package org.ktestci.coordinator.bisect;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The next step of bisecting one key (issue 14 item 3), from what is known now, as {@code git bisect} would take
 * it. Pure: no state of its own, so the search resumes from the verdicts alone after a restart.
 *
 * <p>{@code region} is {@code git rev-list <bad> --not <good commits>} ({@code bad} included), in rev-list order,
 * each commit with its parents. The candidates are the commits of the region that {@code bad} contains
 * minus those a good commit contains. A failing candidate becomes the bad end; when no candidate is left the bad
 * end is the first bad commit. Otherwise the next commit to test is the one that splits the candidates best:
 * with {@code n} candidates plus the bad end, the one whose count of contained candidates {@code w} (itself
 * included) maximises {@code min(w, n + 1 - w)}, the first such in rev-list order ({@code git}'s
 * {@code find_bisection}). On a linear history that is the midpoint; across merges, side branches count as
 * {@code git} counts them.
 */
public final class BisectionPlan {
    /** What is known of the key at one commit. */
    public enum Mark {
        /** No verdict yet (or one in progress). */
        UNTESTED,
        GOOD,
        BAD,
        /** Failed, but re-runs that could still mark it flaky are due: wait for them. */
        BAD_UNSETTLED,
        /** A verdict that is neither a pass nor a failure (Failed to run, Not run, Unknown). */
        UNTESTABLE
    }

    public sealed interface Step permits Test, Exact, Range, Wait {}

    /** Run the key at {@code sha}; {@code candidates} are left before it. */
    public record Test(String sha, int candidates) implements Step {}

    /** {@code firstBad} fails and every parent of it is good (tested, or contained in a good commit). */
    public record Exact(String firstBad, List<String> parents) implements Step {}

    /** The chosen candidate {@code untestable} gave no pass or fail: the first bad is in {@code candidates} + bad. */
    public record Range(String bad, List<String> candidates, String untestable) implements Step {}

    /** A failing commit on the way still waits for its flake re-runs. */
    public record Wait(String sha) implements Step {}

    private BisectionPlan() {
    }

    public static Step next(String bad, Map<String, List<String>> region, Function<String, Mark> marks) {
        Mark top = marks.apply(bad);
        if (top == Mark.BAD_UNSETTLED) {
            return new Wait(bad);
        }
        String current = bad;
        while (true) {
            Set<String> candidates = candidates(current, region, marks);
            String lower = null;
            for (String c : candidates) {
                Mark m = marks.apply(c);
                if (m == Mark.BAD || m == Mark.BAD_UNSETTLED) {
                    lower = c; // rev-list order: the newest failing candidate first
                    break;
                }
            }
            if (lower != null) {
                if (marks.apply(lower) == Mark.BAD_UNSETTLED) {
                    return new Wait(lower);
                }
                current = lower;
                continue;
            }
            if (candidates.isEmpty()) {
                return new Exact(current, region.getOrDefault(current, List.of()));
            }
            String pick = choose(candidates, region);
            if (marks.apply(pick) == Mark.UNTESTABLE) {
                return new Range(current, List.copyOf(candidates), pick);
            }
            return new Test(pick, candidates.size());
        }
    }

    /**
     * The candidates below {@code bad}: region commits it contains, minus those a good commit of the region contains,
     * in rev-list order.
     */
    static Set<String> candidates(String bad, Map<String, List<String>> region, Function<String, Mark> marks) {
        Set<String> below = reach(region.getOrDefault(bad, List.of()), region);
        Set<String> good = new HashSet<>();
        for (String c : below) {
            if (marks.apply(c) == Mark.GOOD) {
                good.add(c);
            }
        }
        if (!good.isEmpty()) {
            below.removeAll(reach(good, region));
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String c : region.keySet()) {
            if (below.contains(c)) {
                ordered.add(c);
            }
        }
        return ordered;
    }

    /** {@code git}'s choice among {@code candidates} (rev-list order), the bad end counted as one more. */
    static String choose(Set<String> candidates, Map<String, List<String>> region) {
        int n = candidates.size() + 1;
        String best = null;
        int bestDistance = -1;
        for (String c : candidates) {
            int w = 0;
            for (String a : reach(List.of(c), region)) {
                w += candidates.contains(a) ? 1 : 0;
            }
            int distance = Math.min(w, n - w);
            if (distance > bestDistance) {
                best = c;
                bestDistance = distance;
                if (2 * w == n) {
                    break; // exactly halfway: git stops looking too
                }
            }
        }
        return best;
    }

    /** Whether {@code sha} is {@code ancestor} or contains it through the region. */
    public static boolean contains(Map<String, List<String>> region, String sha, String ancestor) {
        return reach(List.of(sha), region).contains(ancestor);
    }

    /** {@code from} and everything the region holds below it. */
    static Set<String> reach(Iterable<String> from, Map<String, List<String>> region) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        from.forEach(todo::add);
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (region.containsKey(c) && seen.add(c)) {
                todo.addAll(region.get(c));
            }
        }
        return seen;
    }

}
