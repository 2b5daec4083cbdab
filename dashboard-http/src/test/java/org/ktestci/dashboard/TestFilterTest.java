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
        // Exponential in the key's length: without the budget this would not end for hours.
        TestFilter f = TestFilter.of("^(a+)+\\1$", 10_000_000L).orElseThrow();
        HttpError e = assertThrows(HttpError.class, () -> f.matches("a".repeat(40) + "!"));
        assertEquals("test regex too expensive", e.getMessage());
    }

    @Test
    void theBudgetCountsCharactersReadAndEachKeyOnce() {
        TestFilter f = TestFilter.of("b", 40).orElseThrow();
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(f.matches("key.b")); // five reads, once: the repeats are remembered
        }
        int matched = 0;
        HttpError spent = null;
        for (int i = 0; i < 100 && spent == null; i++) {
            try {
                assertTrue(f.matches("key" + i + ".b"));
                matched++;
            } catch (HttpError e) {
                spent = e;
            }
        }
        assertEquals("test regex too expensive", spent == null ? "never spent" : spent.getMessage());
        // About six reads per new key from the 35 or so left after the first: the repeats cost nothing.
        assertTrue(matched >= 3 && matched <= 7, "distinct keys matched before the budget ran out: " + matched);
    }
}
