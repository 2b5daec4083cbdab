package org.ktestci.schema.compare;

import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed between the results of two commits, any two (issue 14 item 6), per result key present in either:
 * <ul>
 * <li><b>fixed</b>: Failed at base, Passed at head;</li>
 * <li><b>new failures</b>: Failed at head, present at base with any other status;</li>
 * <li><b>still failing</b>: Failed at both;</li>
 * <li><b>new tests</b> / <b>removed tests</b>: only at head / only at base (with their status there);</li>
 * <li><b>much slower</b>: completed (Passed or Failed) at both, and head took ≥ 2 × base and ≥ base + 30 s.</li>
 * </ul>
 * Lists are in key byte order.
 */
public record Comparison(String base, String head, List<Change> fixed, List<Change> newFailures,
                         List<Change> stillFailing, List<ResultEntry> newTests, List<ResultEntry> removedTests,
                         List<Change> muchSlower) {
    /** "Much slower": at least this factor … */
    public static final int SLOWER_FACTOR = 2;
    /** … and at least this many seconds more. */
    public static final int SLOWER_SECONDS = 30;

    /** One key at both commits. */
    public record Change(String key, ResultEntry base, ResultEntry head) {}

    public static Comparison of(String baseSha, List<ResultEntry> base, String headSha, List<ResultEntry> head) {
        Map<String, ResultEntry> before = new HashMap<>();
        base.forEach(e -> before.put(e.name(), e));
        Map<String, ResultEntry> after = new TreeMap<>(Utf8ByteOrder.COMPARATOR);
        head.forEach(e -> after.put(e.name(), e));
        List<Change> fixed = new ArrayList<>();
        List<Change> newFailures = new ArrayList<>();
        List<Change> still = new ArrayList<>();
        List<ResultEntry> added = new ArrayList<>();
        List<Change> slower = new ArrayList<>();
        for (ResultEntry h : after.values()) {
            ResultEntry b = before.get(h.name());
            if (b == null) {
                added.add(h);
                continue;
            }
            Change c = new Change(h.name(), b, h);
            if (b.status() == Status.FAILED && h.status() == Status.PASSED) {
                fixed.add(c);
            } else if (h.status() == Status.FAILED && b.status() == Status.FAILED) {
                still.add(c);
            } else if (h.status() == Status.FAILED) {
                newFailures.add(c);
            }
            if (completed(b) && completed(h) && muchSlower(b.duration(), h.duration())) {
                slower.add(c);
            }
        }
        List<ResultEntry> removed = new ArrayList<>();
        base.stream().filter(e -> !after.containsKey(e.name()))
                .sorted((x, y) -> Utf8ByteOrder.COMPARATOR.compare(x.name(), y.name())).forEach(removed::add);
        return new Comparison(baseSha, headSha, fixed, newFailures, still, added, removed, slower);
    }

    private static boolean completed(ResultEntry e) {
        return e.status() == Status.PASSED || e.status() == Status.FAILED;
    }

    /** The rule of issue 14: new ≥ 2 × old and new ≥ old + 30 s. */
    public static boolean muchSlower(long oldSeconds, long newSeconds) {
        return newSeconds >= SLOWER_FACTOR * oldSeconds && newSeconds >= oldSeconds + SLOWER_SECONDS;
    }

    /**
     * The {@code /api/v1/compare} body: {@code base}/{@code head} shas, each list, and {@code counts}. A change is
     * {@code {name, base: {status, duration}, head: {…}}}, a new or removed test {@code {name, status, duration}};
     * statuses as JSON codes.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base", base);
        m.put("head", head);
        m.put("fixed", changes(fixed));
        m.put("new_failures", changes(newFailures));
        m.put("still_failing", changes(stillFailing));
        m.put("new_tests", entries(newTests));
        m.put("removed_tests", entries(removedTests));
        m.put("much_slower", changes(muchSlower));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("fixed", fixed.size());
        counts.put("new_failures", newFailures.size());
        counts.put("still_failing", stillFailing.size());
        counts.put("new_tests", newTests.size());
        counts.put("removed_tests", removedTests.size());
        counts.put("much_slower", muchSlower.size());
        m.put("counts", counts);
        return m;
    }

    private static List<Map<String, Object>> changes(List<Change> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Change c : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.key());
            m.put("base", side(c.base()));
            m.put("head", side(c.head()));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> side(ResultEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", e.status().jsonCode());
        m.put("duration", e.duration());
        return m;
    }

    private static List<Map<String, Object>> entries(List<ResultEntry> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ResultEntry e : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.putAll(side(e));
            out.add(m);
        }
        return out;
    }
}
