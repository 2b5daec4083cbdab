package org.ktestci.coordinator.execution;

import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.protocol.BatchFinished;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.ktestci.protocol.LeaseEndReason;

/**
 * What an {@link Executor} knows about its slot's lease. It lives outside the executor's behaviour, so a restart
 * after a failure keeps the lease: only the effects whose durability was still awaited are forgotten, and
 * {@link #rewindAfterFailure} moves delivery back to the first of them, which the worker then sends again
 * (verdicts already stored come back as duplicates, chunks are rewritten in place).
 */
final class ExecutorState {
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
    final Map<String, LeaseEndReason> unknownKeys = new HashMap<>();
    boolean hostUnreachable;
    String currentKey = "";
    /** The lease's reliable messages: order, and which effects are durable (protocol.md §4.1). */
    final LeaseInbox inbox = new LeaseInbox();
    BatchFinished pendingFinish;
    /** The reliable message being applied right now (0: none), and its key: undone if applying it fails. */
    long processingSeq;
    String processingKey;

    /** A new lease ({@code expectedSeq} 1, or where a resumed one continues): nothing of the previous carries over. */
    void startLease(LeaseGrant grant, long now, long expectedSeq) {
        lease = grant;
        accepted = false;
        inbox.startAt(expectedSeq);
        pendingFinish = null;
        verdictKeys.clear();
        unknownKeys.clear();
        currentKey = "";
        dispatchedAt = now;
        lastRenewed = now;
    }

    /** The lease is over. */
    void endLease() {
        lease = null;
        inbox.forget();
        verdictKeys.clear();
        unknownKeys.clear();
        currentKey = "";
    }

    /** A verdict for {@code key} is no longer known to be recorded: it may be received again. */
    void forgetVerdict(String key) {
        verdictKeys.remove(key);
        unknownKeys.remove(key);
    }

    /**
     * Delivery restarts at the first message whose effect was not confirmed durable: those results are
     * re-received and re-recorded (idempotently), so a failure loses nothing the worker was told was stored.
     */
    void rewindTo(long seq) {
        inbox.rewindTo(seq).forEach(this::forgetVerdict);
        pendingFinish = null;
    }

    /**
     * After the executor's behaviour failed: the message it was applying, the effects it awaited and a batch end
     * waiting for them are all received again, from the first of them on.
     */
    void rewindAfterFailure() {
        long to = inbox.expectedSeq();
        if (processingSeq > 0) {
            to = Math.min(to, processingSeq);
            forgetVerdict(processingKey);
        }
        to = Math.min(to, inbox.firstUnsettled().orElse(to));
        if (pendingFinish != null) {
            to = Math.min(to, pendingFinish.seq());
        }
        rewindTo(to);
        processingSeq = 0;
        processingKey = null;
    }
}
