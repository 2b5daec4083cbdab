package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchPackerTest {
    private static Job job(String commit, String test, String subtest, int cost, int index) {
        return new Job(new JobKey(commit, test, subtest, "", "", ""), test + "." + subtest, test, new TreeMap<>(),
                "linux", List.of(), 0, "main", "g", cost, Set.of("x86_64"), index);
    }

    @Test
    void packsSameBatchKeyWithinBudgetSkippingWhatDoesNotFit() {
        List<Job> pending = List.of(
                job("c1", "t.ktest", "a", 300, 0),
                job("c1", "u.ktest", "x", 10, 0),
                job("c1", "t.ktest", "b", 400, 1),
                job("c1", "t.ktest", "c", 200, 2),
                job("c2", "t.ktest", "a", 10, 0),
                job("c1", "t.ktest", "d", 100, 3));
        List<Job> batch = BatchPacker.pack(pending, 0, j -> true, 600);
        assertEquals(List.of("a", "c", "d"), batch.stream().map(j -> j.key().subtest()).toList());
    }

    @Test
    void alwaysTakesTheSeedEvenOverBudget() {
        List<Job> pending = List.of(job("c1", "t.ktest", "huge", 5000, 0), job("c1", "t.ktest", "b", 1, 1));
        assertEquals(List.of("huge"), BatchPacker.pack(pending, 0, j -> true, 600).stream()
                .map(j -> j.key().subtest()).toList());
    }

    @Test
    void seedIsTheFirstEligibleJobInWindowOrder() {
        List<Job> pending = List.of(job("c1", "t.ktest", "a", 1, 0), job("c1", "t.ktest", "b", 1, 1));
        assertEquals(1, BatchPacker.seedIndex(pending, j -> j.key().subtest().equals("b")));
        assertEquals(-1, BatchPacker.seedIndex(pending, j -> false));
    }
}
