package org.ktestci.worker.agent;

import org.junit.jupiter.api.Test;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WorkerHello;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseOutboxTest {
    private record Sent(String route, ExecutorMessage message) {}

    private final List<Sent> wire = new ArrayList<>();
    private final LeaseOutbox<String> outbox = new LeaseOutbox<>("L1", 7, "executor-1",
            (route, m) -> wire.add(new Sent(route, m)));

    private long started(String key) {
        return outbox.send(seq -> new SubtestStarted("L1", 7, seq, key, 1, 0));
    }

    private List<Long> seqsSentTo(String route) {
        return wire.stream().filter(s -> s.route().equals(route))
                .map(s -> ((ReliableMessage) s.message()).seq()).toList();
    }

    @Test
    void numbersMessagesOneTwoThreeInSendOrder() {
        assertEquals(1, started("t.a"));
        assertEquals(2, started("t.b"));
        assertEquals(3, outbox.send(seq -> new BatchFinished("L1", 7, seq, BatchOutcome.COMPLETED,
                LeaseEndReason.NONE, "", List.of(),
                List.of())));
        assertEquals(List.of(1L, 2L, 3L), seqsSentTo("executor-1"));
        assertEquals("t.b", ((SubtestStarted) wire.get(1).message()).resultKey());
        assertEquals(3, outbox.sentSeq());
    }

    @Test
    void retransmitsEveryUnacknowledgedMessageInOrderAndNothingAcknowledged() {
        started("t.a");
        started("t.b");
        started("t.c");
        assertEquals(LeaseOutbox.AckResult.APPLIED, outbox.ack(1));
        wire.clear();
        outbox.retransmit();
        assertEquals(List.of(2L, 3L), seqsSentTo("executor-1"));
        outbox.ack(3);
        wire.clear();
        outbox.retransmit();
        assertTrue(wire.isEmpty(), wire.toString());
        assertTrue(outbox.settled());
    }

    @Test
    void aRepeatedOrOlderAckChangesNothing() {
        started("t.a");
        started("t.b");
        started("t.c");
        outbox.ack(2);
        assertEquals(LeaseOutbox.AckResult.APPLIED, outbox.ack(2), "a duplicate");
        assertEquals(LeaseOutbox.AckResult.APPLIED, outbox.ack(1), "an older one, arriving late");
        assertEquals(LeaseOutbox.AckResult.APPLIED, outbox.ack(0));
        wire.clear();
        outbox.retransmit();
        assertEquals(List.of(3L), seqsSentTo("executor-1"));
        assertEquals(new WorkerHello.ActiveLease(4, "L1", 7, 3, 2), outbox.activeLease(4));
    }

    @Test
    void anAckBeyondWhatWasSentIsIgnored() {
        started("t.a");
        assertEquals(LeaseOutbox.AckResult.BEYOND_SENT, outbox.ack(2));
        assertFalse(outbox.settled(), "the executor cannot have seq 1 acknowledged by a forged ack of 2");
        wire.clear();
        outbox.retransmit();
        assertEquals(List.of(1L), seqsSentTo("executor-1"));
    }

    @Test
    void aNewGenerationGetsEverythingFromItsExpectedSeqAtOnceAndAllLaterTraffic() {
        started("t.a");
        started("t.b");
        started("t.c");
        outbox.ack(1);
        wire.clear();
        outbox.resume("executor-2", 3); // the new executor recorded 1 and 2 from the journal
        assertEquals(List.of(3L), seqsSentTo("executor-2"));
        assertEquals(List.of(), seqsSentTo("executor-1"));
        assertEquals(4, started("t.d"));
        outbox.retransmit();
        assertEquals(List.of(3L, 4L, 3L, 4L), seqsSentTo("executor-2"));
        assertEquals(List.of(), seqsSentTo("executor-1"), "the old generation gets nothing more");
        assertEquals("executor-2", outbox.route());
    }

    @Test
    void aNewGenerationThatExpectsFromTheStartGetsEverythingUnacknowledged() {
        started("t.a");
        started("t.b");
        outbox.resume("executor-2", 1);
        assertEquals(List.of(1L, 2L), seqsSentTo("executor-2"));
        assertEquals(new WorkerHello.ActiveLease(0, "L1", 7, 2, 0), outbox.activeLease(0));
    }

    @Test
    void aSilencedOutboxNumbersAndSendsNothingMore() {
        started("t.a");
        outbox.silence();
        wire.clear();
        assertEquals(0, started("t.b"));
        outbox.retransmit();
        outbox.sendOnce(live());
        assertTrue(wire.isEmpty(), wire.toString());
        assertEquals(1, outbox.sentSeq());
    }

    @Test
    void bestEffortMessagesAreNeitherNumberedNorKept() {
        outbox.sendOnce(live());
        assertEquals(1, wire.size());
        assertEquals(0, outbox.sentSeq());
        assertTrue(outbox.settled());
        wire.clear();
        outbox.retransmit();
        assertTrue(wire.isEmpty());
    }

    @Test
    void refusesAMessageNumberedOrAddressedOtherwise() {
        assertThrows(IllegalArgumentException.class,
                () -> outbox.send(seq -> new SubtestStarted("L1", 7, seq + 1, "t.a", 1, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> outbox.send(seq -> new SubtestStarted("L2", 7, seq, "t.a", 1, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> outbox.send(seq -> new SubtestStarted("L1", 8, seq, "t.a", 1, 0)));
        assertTrue(wire.isEmpty());
        assertEquals(1, started("t.a"), "a refused message uses no number");
    }

    private static LogChunk live() {
        return new LogChunk("L1", 7, 0, LogChunk.KIND_LIVE, "t.a", 1, 0, -1, new byte[] {'x'}, false);
    }
}
