package org.ktestci.coordinator.execution;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator-side inbox of one lease's reliable messages (protocol.md §4.1), without an actor. */
class LeaseInboxTest {
    @Test
    void takesOnlyTheNextSequenceNumberSoDuplicatesAndGapsAreDropped() {
        LeaseInbox in = new LeaseInbox();
        in.startAt(1);
        assertFalse(in.take(2), "a gap: go-back-N drops it");
        assertTrue(in.take(1));
        assertFalse(in.take(1), "a retransmitted duplicate");
        assertTrue(in.take(2));
        assertEquals(3, in.expectedSeq());
        assertEquals(2, in.ackedSeq());
    }

    @Test
    void theAckStaysBelowTheFirstMessageWhoseEffectIsNotDurable() {
        LeaseInbox in = new LeaseInbox();
        in.startAt(1);
        in.take(1);
        long first = in.await(1, "t.a", 0);
        in.take(2);
        in.take(3);
        long third = in.await(3, "t.c", 0);
        assertEquals(0, in.ackedSeq(), "seq 1 is not durable yet");
        assertTrue(in.answered(third).isPresent());
        assertEquals(0, in.ackedSeq(), "still waiting for seq 1");
        assertEquals(1, in.answered(first).orElseThrow().seq());
        assertTrue(in.settled());
        assertEquals(3, in.ackedSeq());
    }

    @Test
    void answersFromBeforeARewindOrAnotherLeaseAreIgnored() {
        LeaseInbox in = new LeaseInbox();
        in.startAt(1);
        in.take(1);
        long old = in.await(1, "t.a", 0);
        in.startAt(1); // the next lease
        assertEquals(Optional.empty(), in.answered(old));
        in.take(1);
        long stale = in.await(1, "t.a", 0);
        in.rewindTo(1);
        assertEquals(Optional.empty(), in.answered(stale), "a rewind starts a new generation");
        assertEquals(Optional.empty(), in.answered(12345), "an unknown token");
    }

    @Test
    void aRewindGoesBackToTheFailedMessageAndNamesTheKeysWhoseEffectsAreUnknown() {
        LeaseInbox in = new LeaseInbox();
        in.startAt(1);
        for (long seq = 1; seq <= 4; seq++) {
            in.take(seq);
        }
        in.await(2, "t.b", 0);
        in.await(4, "t.d", 0);
        List<String> unknown = in.rewindTo(2);
        assertEquals(List.of("t.b", "t.d"), unknown.stream().sorted().toList());
        assertEquals(2, in.expectedSeq(), "the worker re-sends from seq 2");
        assertTrue(in.settled());
        assertEquals(1, in.ackedSeq());
        in.rewindTo(9);
        assertEquals(2, in.expectedSeq(), "a rewind never moves forward");
    }

    @Test
    void requestsUnansweredPastTheTimeoutAreOverdue() {
        LeaseInbox in = new LeaseInbox();
        in.startAt(5); // resumed after a coordinator restart
        assertTrue(in.take(5));
        long token = in.await(5, "t.a", 1_000);
        assertEquals(List.of(), in.overdue(30_000, 30_000));
        assertEquals(List.of(token), in.overdue(31_001, 30_000));
        assertEquals(4, in.ackedSeq());
    }
}
