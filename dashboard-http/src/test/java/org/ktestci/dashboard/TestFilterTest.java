package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestFilterTest {
    @Test
    void findsMatchesAnywhereInTheKey() {
        TestFilter f = TestFilter.of("ec\\.ec$").orElseThrow();
        assertTrue(f.matches("fs.bcachefs.ec.ec"));
        assertFalse(f.matches("fs.bcachefs.ec.ec2"));
        assertTrue(TestFilter.accepts(Optional.empty(), "anything"));
        assertEquals(Optional.empty(), TestFilter.of(""));
    }

    @Test
    void invalidAndOverlongPatternsAreBadRequests() {
        HttpError invalid = assertThrows(HttpError.class, () -> TestFilter.of("a("));
        assertEquals(400, invalid.status());
        assertEquals("invalid test regex: Unclosed group", invalid.getMessage());
        assertTrue(TestFilter.of("x".repeat(256)).isPresent());
        assertEquals("invalid test regex: longer than 256 characters",
                assertThrows(HttpError.class, () -> TestFilter.of("x".repeat(257))).getMessage());
    }

    @Test
    void catastrophicBacktrackingStopsWhenTheBudgetIsSpent() {
        TestFilter f = TestFilter.of("^(a+)+\\1$", 20_000_000L).orElseThrow();
        long start = System.nanoTime();
        HttpError e = assertThrows(HttpError.class, () -> f.matches("a".repeat(40) + "!"));
        assertEquals("test regex too expensive", e.getMessage());
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void theBudgetCountsMatchingTimeOnlyAndEachKeyOnce() throws Exception {
        TestFilter f = TestFilter.of("b", 50_000_000L).orElseThrow();
        Thread.sleep(100); // time outside matching (e.g. reading blobs) costs nothing
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(f.matches("key.b"));
        }
    }
}
