package org.ktestci.worker.agent;

import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.WorkerHello;

import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The worker's side of reliable delivery for one lease (protocol.md §4.1): reliable messages are numbered 1, 2, …
 * in the order they are sent, kept until the executor acknowledges them (cumulatively), and all unacknowledged
 * ones are sent again, in order, on {@link #retransmit} (the slot's 5 s tick) and when another coordinator
 * generation takes the lease over ({@link #resume}). The executor processes only the next expected number, so a
 * re-sent message it already has is a duplicate there and a gap makes it drop what follows (go-back-N).
 *
 * <p>Owned by the slot's actor and used only on its thread: the batch's thread never touches it, it posts what
 * it reports to the actor ({@link RunReporter}).
 *
 * @param <R> where messages go (the lease's executor, and where its heartbeat answers come back); it changes
 *            when a failed-over coordinator resumes the lease
 */
final class LeaseOutbox<R> {
    /** Delivers one message to a route: an actor's {@code tell}, or a list in tests. */
    @FunctionalInterface
    interface Transport<R> {
        void send(R route, ExecutorMessage message);
    }

    /** What an acknowledgement did. */
    enum AckResult {
        /** Everything up to the acknowledged number is delivered (a repeated or older ack changes nothing). */
        APPLIED,
        /** It acknowledges numbers never sent: not from this lease's executor, ignored. */
        BEYOND_SENT
    }

    private final String leaseId;
    private final long epoch;
    private final Transport<R> transport;
    private R route;
    /** The highest sequence number given out (0: none yet). */
    private long sent;
    private final NavigableMap<Long, ReliableMessage> unacked = new TreeMap<>();
    private boolean silenced;

    LeaseOutbox(String leaseId, long epoch, R route, Transport<R> transport) {
        this.leaseId = leaseId;
        this.epoch = epoch;
        this.route = route;
        this.transport = transport;
    }

    String leaseId() {
        return leaseId;
    }

    long epoch() {
        return epoch;
    }

    R route() {
        return route;
    }

    /**
     * Sends the message {@code numbered} makes with the next sequence number, and keeps it until acknowledged.
     * Returns that number, or 0 when the outbox is silenced (then nothing is numbered or sent).
     */
    long send(LongFunction<? extends ReliableMessage> numbered) {
        if (silenced) {
            return 0;
        }
        long seq = sent + 1;
        ReliableMessage m = numbered.apply(seq);
        if (m.seq() != seq || !leaseId.equals(m.leaseId()) || m.epoch() != epoch) {
            throw new IllegalArgumentException("message " + m.getClass().getSimpleName() + " of lease " + m.leaseId()
                    + " epoch " + m.epoch() + " seq " + m.seq() + " given as seq " + seq + " of lease " + leaseId
                    + " epoch " + epoch);
        }
        sent = seq;
        unacked.put(seq, m);
        transport.send(route, m);
        return seq;
    }

    /** Best effort (live console lines): not numbered, not kept, never re-sent; nothing when silenced. */
    void sendOnce(ExecutorMessage message) {
        if (!silenced) {
            transport.send(route, message);
        }
    }

    /** The executor has everything up to {@code ackedSeq}: those are not sent again. */
    AckResult ack(long ackedSeq) {
        if (ackedSeq > sent) {
            return AckResult.BEYOND_SENT;
        }
        unacked.headMap(ackedSeq, true).clear();
        return AckResult.APPLIED;
    }

    /**
     * A new coordinator generation holds the lease (after a failover, {@code HelloAck.resume}): from now on
     * messages go to {@code newRoute}, which expects {@code expectedSeq} next; everything from there on is sent
     * to it again at once.
     */
    void resume(R newRoute, long expectedSeq) {
        route = newRoute;
        unacked.headMap(expectedSeq - 1, true).clear();
        retransmit();
    }

    /** Sends every unacknowledged message again, in order. */
    void retransmit() {
        if (!silenced) {
            unacked.values().forEach(m -> transport.send(route, m));
        }
    }

    /** The coordinator said the lease is gone, or the worker is leaving: nothing more goes out under it. */
    void silence() {
        silenced = true;
    }

    boolean silenced() {
        return silenced;
    }

    /** Nothing sent is waiting for an acknowledgement. */
    boolean settled() {
        return unacked.isEmpty();
    }

    /** The highest sequence number sent so far. */
    long sentSeq() {
        return sent;
    }

    /** The lease as a hello reports it, so a new coordinator can resume it (protocol.md §2 {@code activeLeases}). */
    WorkerHello.ActiveLease activeLease(int slot) {
        long acked = unacked.isEmpty() ? sent : unacked.firstKey() - 1;
        return new WorkerHello.ActiveLease(slot, leaseId, epoch, sent, acked);
    }
}
