package org.ktestci.coordinator.execution;

import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.protocol.BatchFinished;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an {@link Executor} knows about its slot's lease. It lives outside the executor's behaviour, so a restart
 * after a failure keeps the lease: only the effects whose durability was still awaited are forgotten, and
 * {@link #rewindAfterFailure} moves delivery back to the first of them, which the worker then sends again
 * (verdicts already stored come back as duplicates, chunks are rewritten in place).
 */
final class ExecutorState {
    /** A request whose answer makes reliable message {@code seq} durable. */
    record Pending(String leaseId, long seq, long generation, String key, long sentAt) {}

    /** The executor ran once already: a new behaviour is a restart. */
    boolean started;
    /** A ClaimBatch is out and no offer came back yet. */
    boolean claimOutstanding;

    LeaseGrant lease;
    boolean accepted;
    long dispatchedAt;
    long lastSentRunBatch;
    long lastRenewed;
    final Set<String> verdictKeys = new HashSet<>();
    final Map<String, String> unknownKeys = new HashMap<>();
    boolean hostUnreachable;
    String currentKey = "";
    /** Next sequence number expected from the current lease's reliable messages (protocol.md §4.1). */
    long expectedSeq = 1;
    /** Processed messages whose effect is not durable yet; the ack stays below the smallest. */
    final TreeSet<Long> inflight = new TreeSet<>();
    long generation;
    BatchFinished pendingFinish;
    /** Requests in flight by token. */
    final Map<Long, Pending> requests = new HashMap<>();
    long nextToken;
    /** The reliable message being applied right now (0: none), and its key: undone if applying it fails. */
    long processingSeq;
    String processingKey;

    /** A new lease: nothing of the previous one carries over. */
    void startLease(LeaseGrant grant, long now) {
        lease = grant;
        accepted = false;
        expectedSeq = 1;
        forgetInflight();
        pendingFinish = null;
        verdictKeys.clear();
        unknownKeys.clear();
        currentKey = "";
        dispatchedAt = now;
        lastRenewed = now;
    }

    /** The cumulative acknowledgement: everything below the first non-durable processed message. */
    long ackedSeq() {
        return inflight.isEmpty() ? expectedSeq - 1 : inflight.first() - 1;
    }

    void forgetInflight() {
        generation++;
        inflight.clear();
        requests.clear();
    }

    /**
     * Delivery restarts at the first message whose effect was not confirmed durable: those results are
     * re-received and re-recorded (idempotently), so a failure loses nothing the worker was told was stored.
     */
    void rewindTo(long seq) {
        requests.values().forEach(p -> {
            verdictKeys.remove(p.key());
            unknownKeys.remove(p.key());
        });
        forgetInflight();
        expectedSeq = Math.min(expectedSeq, seq);
        pendingFinish = null;
    }

    /**
     * After the executor's behaviour failed: the message it was applying, the effects it awaited and a batch end
     * waiting for them are all received again, from the first of them on.
     */
    void rewindAfterFailure() {
        long to = expectedSeq;
        if (processingSeq > 0) {
            to = Math.min(to, processingSeq);
            verdictKeys.remove(processingKey);
            unknownKeys.remove(processingKey);
        }
        if (!inflight.isEmpty()) {
            to = Math.min(to, inflight.first());
        }
        if (pendingFinish != null) {
            to = Math.min(to, pendingFinish.seq());
        }
        rewindTo(to);
        processingSeq = 0;
        processingKey = null;
    }
}
