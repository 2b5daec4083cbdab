package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleBudgetTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void anHonestBurstIsKeptWhole() {
        ConsoleBudget b = new ConsoleBudget(new ConsoleLimits(1L << 30, 100), 0);
        for (int i = 0; i < 1000; i++) { // a KASAN splat: many lines at once, within the 10 s burst
            assertTrue(b.admit(80, false, 0), "line " + i);
        }
        assertEquals(0, b.dropped());
        assertTrue(b.takeNote().isEmpty());
    }

    @Test
    void aSustainedFloodKeepsOnlyMarkersAndSaysSo() {
        ConsoleBudget b = new ConsoleBudget(new ConsoleLimits(1L << 30, 100), 0);
        long t = 0;
        int kept = 0;
        for (int i = 0; i < 10_000; i++) { // 10,000 lines in one second
            t += SECOND / 10_000;
            kept += b.admit(80, false, t) ? 1 : 0;
        }
        assertTrue(kept <= 1000 + 100 + 1, "burst plus one second of rate: " + kept);
        assertTrue(b.takeNote().orElseThrow().contains("over 100 lines/s"));
        assertTrue(b.admit(40, true, t), "a marker is kept while plain lines are dropped");
        assertTrue(b.admit(80, false, t + 5 * SECOND), "after a pause lines are kept again");
        assertTrue(b.takeNote().orElseThrow().matches("console slowed down: \\d+ lines were dropped"));
    }

    @Test
    void pastTheRunCapOnlyMarkersAreKept() {
        ConsoleBudget b = new ConsoleBudget(new ConsoleLimits(1000, 1_000_000), 0);
        assertTrue(b.admit(900, false, 0));
        assertFalse(b.admit(200, false, 0));
        assertTrue(b.takeNote().orElseThrow().contains("keeping only marker lines"));
        assertTrue(b.admit(50, true, 0));
        assertFalse(b.admit(10, false, 0));
        assertTrue(b.takeNote().isEmpty(), "one note, not one per line");
        assertEquals(2, b.dropped());
    }
}
