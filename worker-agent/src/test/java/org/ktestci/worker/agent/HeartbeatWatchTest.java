package org.ktestci.worker.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.worker.agent.HeartbeatWatch.Tick.GIVE_UP;
import static org.ktestci.worker.agent.HeartbeatWatch.Tick.SEND;

class HeartbeatWatchTest {
    private final HeartbeatWatch watch = new HeartbeatWatch(Duration.ofSeconds(3), Duration.ofSeconds(12));

    @Test
    void givesUpOnlyAfterHeartbeatsWentUnansweredForTheLeaseTimeout() {
        long t = 1_000_000;
        for (int i = 0; i <= 4; i++) {
            assertEquals(SEND, watch.tick(t + i * 3000L, false), "tick " + i);
        }
        assertEquals(GIVE_UP, watch.tick(t + 15_000, false), "15 s after the first unanswered heartbeat");
    }

    @Test
    void aValidAnswerStartsTheCountAfresh() {
        long t = 1_000_000;
        watch.tick(t, false);
        watch.tick(t + 9000, false);
        watch.answered();
        for (long at = t + 12_000; at <= t + 24_000; at += 3000) {
            assertEquals(SEND, watch.tick(at, false), "at " + (at - t));
        }
        assertEquals(GIVE_UP, watch.tick(t + 27_000, false));
    }

    @Test
    void neverGivesUpWhileNoCoordinatorIsReachable() {
        long t = 1_000_000;
        watch.tick(t, false);
        watch.presence(false);
        for (long at = t + 3000; at <= t + 60_000; at += 3000) {
            assertEquals(SEND, watch.tick(at, false));
        }
        watch.presence(true);
        for (long at = t + 63_000; at <= t + 75_000; at += 3000) {
            assertEquals(SEND, watch.tick(at, false), "counted afresh from the reachable coordinator's first tick");
        }
        assertEquals(GIVE_UP, watch.tick(t + 78_000, false));
    }

    @Test
    void aFrozenWorkerAsksAgainBeforeGivingUp() {
        long t = 1_000_000;
        watch.tick(t, false);
        assertEquals(SEND, watch.tick(t + 60_000, false), "a gap over three periods: this process was frozen");
        for (long at = t + 63_000; at <= t + 72_000; at += 3000) {
            assertEquals(SEND, watch.tick(at, false), "counted from the heartbeat after the freeze");
        }
        assertEquals(GIVE_UP, watch.tick(t + 75_000, false));
    }

    @Test
    void aSilencedRunIsNeverGivenUp() {
        long t = 1_000_000;
        watch.tick(t, true);
        assertEquals(SEND, watch.tick(t + 3000, true));
        assertEquals(SEND, watch.tick(t + 6000, true));
        assertEquals(SEND, watch.tick(t + 9000, true));
        assertEquals(SEND, watch.tick(t + 12_000, true));
        assertEquals(SEND, watch.tick(t + 15_000, true));
    }

    @Test
    void takesTheCoordinatorsTiming() {
        assertFalse(watch.timing(Duration.ofSeconds(3), Duration.ofSeconds(2)), "same period");
        assertTrue(watch.timing(Duration.ofMillis(200), Duration.ofSeconds(2)));
        assertEquals(Duration.ofMillis(200), watch.interval());
        long t = 1_000_000;
        for (long at = t; at <= t + 2000; at += 200) {
            assertEquals(SEND, watch.tick(at, false), "at " + (at - t));
        }
        assertEquals(GIVE_UP, watch.tick(t + 2200, false), "the coordinator's 2 s lease timeout");
    }
}
