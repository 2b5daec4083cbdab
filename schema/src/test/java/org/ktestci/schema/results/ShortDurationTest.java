package org.ktestci.schema.results;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShortDurationTest {
    @Test
    void secondsUnderAMinute() {
        assertEquals("0s", ShortDuration.of(0));
        assertEquals("59s", ShortDuration.of(59));
    }

    @Test
    void wholeMinutesUnderAnHourRoundedDown() {
        assertEquals("1m", ShortDuration.of(60));
        assertEquals("1m", ShortDuration.of(119));
        assertEquals("59m", ShortDuration.of(3599));
    }

    @Test
    void tenthsOfHoursUnderADayThenTenthsOfDays() {
        assertEquals("1.0h", ShortDuration.of(3600));
        assertEquals("4.2h", ShortDuration.of(15123));
        assertEquals("1.0d", ShortDuration.of(86400));
        assertEquals("2.5d", ShortDuration.of(216000));
    }
}
