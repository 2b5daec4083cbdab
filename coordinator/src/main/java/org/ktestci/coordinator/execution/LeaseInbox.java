package org.ktestci.coordinator.execution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The coordinator's side of one slot's reliable delivery (protocol.md §4.1): which sequence number comes next,
 * which processed messages still wait for their effect to be durable, and so what the cumulative {@code Ack}
 * may cover. Fencing (lease id + epoch, §4.2) happens before a message gets here; this class only orders the
 * messages of the current lease.
 *
 * <p>A message is taken only when its {@code seq} is the next expected one; a lower one is a duplicate and a
 * higher one a gap, and both are answered by re-acknowledging (go-back-N). Each effect a processed message
 * waits for is a request with a token; the ack stays below the first request not yet answered. A new lease,
 * or a rewind, starts a new generation: answers to requests of an earlier one are ignored.
 */
final class LeaseInbox {
    /** A request whose answer makes reliable message {@code seq} durable; {@code key} is the result key it is for. */
    record Pending(long seq, long generation, String key, long sentAt) {}

    private long expectedSeq = 1;
    /** Processed messages whose effect is not durable yet; the ack stays below the smallest. */
    private final TreeSet<Long> inflight = new TreeSet<>();
    private final Map<Long, Pending> requests = new HashMap<>();
    private long generation;
    private long nextToken;

    /** A new lease, or one resumed at {@code expected} after a coordinator restart. */
    void startAt(long expected) {
        forget();
        expectedSeq = expected;
    }

    long expectedSeq() {
        return expectedSeq;
    }

    /** Whether {@code seq} is the next message; if so it is taken, and the next one is expected after it. */
    boolean take(long seq) {
        if (seq != expectedSeq) {
            return false;
        }
        expectedSeq++;
        return true;
    }

    /** Message {@code seq} (for {@code key}) waits for a request; returns the token its answer must carry. */
    long await(long seq, String key, long now) {
        long token = ++nextToken;
        inflight.add(seq);
        requests.put(token, new Pending(seq, generation, key, now));
        return token;
    }

    /**
     * The answer to request {@code token} came: the request, if it is still awaited in this generation (a late
     * answer from before a rewind or of an ended lease is empty).
     */
    Optional<Pending> answered(long token) {
        Pending p = requests.remove(token);
        if (p == null || p.generation() != generation || !inflight.remove(p.seq())) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** Tokens of requests unanswered for {@code timeoutMillis}. */
    List<Long> overdue(long now, long timeoutMillis) {
        List<Long> out = new ArrayList<>();
        requests.forEach((token, p) -> {
            if (now - p.sentAt() > timeoutMillis) {
                out.add(token);
            }
        });
        return out;
    }

    /** Every processed message's effect is durable. */
    boolean settled() {
        return inflight.isEmpty();
    }

    /** The first processed message whose effect is not durable yet, if any. */
    Optional<Long> firstUnsettled() {
        return inflight.isEmpty() ? Optional.empty() : Optional.of(inflight.first());
    }

    /** The cumulative acknowledgement: everything below the first non-durable processed message. */
    long ackedSeq() {
        return inflight.isEmpty() ? expectedSeq - 1 : inflight.first() - 1;
    }

    /**
     * Delivery restarts at {@code seq}: every awaited request is forgotten (their answers will be ignored) and
     * the worker re-sends from there. Returns the keys of those requests, whose effects are not known to be done.
     */
    List<String> rewindTo(long seq) {
        List<String> keys = requests.values().stream().map(Pending::key).toList();
        forget();
        expectedSeq = Math.min(expectedSeq, seq);
        return keys;
    }

    /** The lease ended or another starts: nothing awaited carries over. */
    void forget() {
        generation++;
        inflight.clear();
        requests.clear();
    }
}
