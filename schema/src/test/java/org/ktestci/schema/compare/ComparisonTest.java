package org.ktestci.schema.compare;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compare rules of issue 14 on a crafted pair of commits: every category, and "much slower" at its edges. */
class ComparisonTest {
    private static ResultEntry e(String key, Status s, long d) {
        return new ResultEntry(key, s, d, 0);
    }

    @Test
    void sortsEveryKeyIntoItsCategories() {
        List<ResultEntry> base = List.of(e("t.fixed", Status.FAILED, 5), e("t.broke", Status.PASSED, 5),
                e("t.still", Status.FAILED, 5), e("t.gone", Status.PASSED, 1), e("t.was_notrun", Status.NOTRUN, 0),
                e("t.slow", Status.PASSED, 40), e("t.slow_fail", Status.PASSED, 10), e("t.twice", Status.PASSED, 10),
                e("t.ftr", Status.FAILED_TO_RUN, 0), e("t.same", Status.PASSED, 3));
        List<ResultEntry> head = List.of(e("t.fixed", Status.PASSED, 5), e("t.broke", Status.FAILED, 6),
                e("t.still", Status.FAILED, 5), e("t.new", Status.FAILED, 2), e("t.was_notrun", Status.FAILED, 1),
                e("t.slow", Status.PASSED, 80), e("t.slow_fail", Status.FAILED, 41), e("t.twice", Status.PASSED, 39),
                e("t.ftr", Status.PASSED, 100), e("t.same", Status.PASSED, 3));
        Comparison c = Comparison.of("b", base, "h", head);
        assertEquals(List.of("t.fixed"), keys(c.fixed()));
        assertEquals(List.of("t.broke", "t.slow_fail", "t.was_notrun"), keys(c.newFailures()));
        assertEquals(List.of("t.still"), keys(c.stillFailing()));
        assertEquals(List.of("t.new"), c.newTests().stream().map(ResultEntry::name).toList());
        assertEquals(List.of("t.gone"), c.removedTests().stream().map(ResultEntry::name).toList());
        assertEquals(List.of("t.slow", "t.slow_fail"), keys(c.muchSlower()),
                "twice is 2.9 x but only 29 s more; ftr had no completed run at base");
    }

    @Test
    void muchSlowerNeedsBothTwiceAndThirtySecondsMore() {
        assertTrue(Comparison.muchSlower(30, 60));
        assertFalse(Comparison.muchSlower(30, 59));
        assertTrue(Comparison.muchSlower(0, 30));
        assertFalse(Comparison.muchSlower(0, 29));
        assertFalse(Comparison.muchSlower(100, 199));
        assertTrue(Comparison.muchSlower(100, 200));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesBothSidesAndCounts() {
        Map<String, Object> j = Comparison.of("b", List.of(e("k", Status.FAILED, 1)), "h",
                List.of(e("k", Status.PASSED, 2))).toJson();
        assertEquals(List.of(Map.of("name", "k", "base", Map.of("status", "failed", "duration", 1L),
                "head", Map.of("status", "passed", "duration", 2L))), j.get("fixed"));
        assertEquals(1, ((Map<String, Object>) j.get("counts")).get("fixed"));
    }

    private static List<String> keys(List<Comparison.Change> l) {
        return l.stream().map(Comparison.Change::key).toList();
    }
}
