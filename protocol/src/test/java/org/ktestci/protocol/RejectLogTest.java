package org.ktestci.protocol;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RejectLogTest {
    @Test
    void aFloodIsLoggedTenTimesAMinuteAndTheSkippedCountComesWithTheNextLine() {
        RejectLog log = new RejectLog();
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            logged += log.admit("malformed", 1_000 + i).isPresent() ? 1 : 0;
        }
        assertEquals(RejectLog.PER_MINUTE, logged);
        assertEquals(Optional.of(""), log.admit("other kind", 2_000), "kinds are limited separately");
        assertEquals(Optional.of(" (990 more not logged)"), log.admit("malformed", 61_000));
        assertTrue(log.admit("malformed", 61_001).isPresent());
    }
}
