package org.ktestci.schema.results;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fallback full log of storage.md §4: the exact lines, and read back by ci-status and journal-less dashboards. */
class FailedToRunLogTest {
    private static final FailureReason REASON = new FailureReason("lease_timeout", List.of(
            new FailureReason.Attempt(1, "farm1", 3, "L1", "member_down", 1_787_000_000L),
            new FailureReason.Attempt(2, "farm2", 0, "L2", "lease_timeout", 0)));

    @Test
    void writesOneLinePerAttemptAfterTheSectionHeader() {
        String log = FailedToRunLog.render("a".repeat(40), "fs.x.y", REASON);
        String[] lines = log.split("\n");
        assertTrue(lines[0].startsWith("# commit=" + "a".repeat(40) + " key=fs.x.y status=FAILED TO RUN"), lines[0]);
        assertEquals("# ---- failed to run ----", lines[1]);
        assertEquals("# attempt 1 host=farm1 slot=3 lease=L1 reason=member_down at=2026-08-17T20:53:20Z", lines[2]);
        assertEquals("# attempt 2 host=farm2 slot=0 lease=L2 reason=lease_timeout at=-", lines[3]);
        assertEquals(4, lines.length);
    }

    @Test
    void readsBackTheReasonOfTheLastAttempt() {
        assertEquals(Optional.of(REASON), FailedToRunLog.parse(FailedToRunLog.render("b".repeat(40), "k", REASON)));
    }

    @Test
    void aRealRunsLogHasNoReason() {
        assertEquals(Optional.empty(), FailedToRunLog.parse("# host=h slot=0\n# ---- agent log ----\nboom\n"));
        assertEquals(Optional.empty(), FailedToRunLog.parse("# x\n# ---- failed to run ----\nnot an attempt\n"));
    }

    @Test
    void summarisesForTerminals() {
        assertEquals("lease_timeout (2 attempts: farm1:3 member_down, farm2:0)", REASON.summary());
        assertEquals("deps_failed", new FailureReason("deps_failed", List.of()).summary());
    }
}
