package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.status.Status;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureRunTest {
    private static final Status P = Status.PASSED;
    private static final Status F = Status.FAILED;
    private static final Status N = Status.NOTRUN;

    private static FailureRun of(Status... newestFirst) {
        List<Optional<Status>> h = Arrays.stream(newestFirst).map(Optional::ofNullable).toList();
        return FailureRun.of(h);
    }

    @Test
    void theRunOfFailuresEndsAtTheOldestFailureAboveAPass() {
        FailureRun r = of(F, null, F, N, F, P, F);
        assertEquals(OptionalInt.of(4), r.firstFailing());
        assertEquals(OptionalInt.of(5), r.lastPassing());
        assertTrue(r.exact());
    }

    @Test
    void aGapBetweenFailureAndPassIsNotExact() {
        FailureRun r = of(F, null, P);
        assertEquals(OptionalInt.of(0), r.firstFailing());
        assertEquals(OptionalInt.of(2), r.lastPassing());
        assertFalse(r.exact());
    }

    @Test
    void aPassingNewestHasNoFirstFailing() {
        assertEquals(FailureRun.NONE, of(N, P, F, P));
        assertEquals(FailureRun.NONE, of());
    }

    @Test
    void failingEverywhereHasNoLastPassing() {
        FailureRun r = of(F, F, null);
        assertEquals(OptionalInt.of(1), r.firstFailing());
        assertEquals(OptionalInt.empty(), r.lastPassing());
        assertFalse(r.exact());
    }
}
