package org.ktestci.coordinator.execution;

import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LeaseMessage;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;

import java.util.function.BooleanSupplier;

/**
 * What each kind of lease message does to an {@link Executor}'s current lease, once it passed the checks and the
 * fencing: one method per kind ({@link LeaseMessage.Handler}), reliable ones only in order ({@link LeaseInbox}).
 * Runs inside the executor's message handling; it shares the executor's state, never a thread.
 */
final class LeaseMessageHandler implements LeaseMessage.Handler<Void> {
    private final Executor executor;
    private final ExecutorState s;
    private final CoordinatorMetrics metrics;
    private final LeaseRecorder recorder;

    LeaseMessageHandler(Executor executor, ExecutorState state, CoordinatorMetrics metrics, LeaseRecorder recorder) {
        this.executor = executor;
        this.s = state;
        this.metrics = metrics;
        this.recorder = recorder;
    }

    @Override
    public Void batchAccepted(BatchAccepted m) {
        if (!s.accepted) {
            metrics.dispatchLatency.observe((System.currentTimeMillis() - s.dispatchedAt) / 1000.0);
        }
        s.accepted = true;
        return null;
    }

    @Override
    public Void batchRefused(BatchRefused r) {
        executor.refused(r.reason() == RefusalReason.DRAINING ? LeaseEndReason.WORKER_SHUTDOWN
                : LeaseEndReason.DISPATCH_TIMEOUT);
        return null;
    }

    @Override
    public Void heartbeat(LeaseHeartbeat hb) {
        s.accepted = true;
        s.currentKey = hb.currentKey();
        hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), true, s.inbox.ackedSeq()));
        return null;
    }

    @Override
    public Void subtestStarted(SubtestStarted st) {
        return inOrder(st, () -> {
            recorder.started(st);
            return true;
        });
    }

    @Override
    public Void subtestFinished(SubtestFinished f) {
        return inOrder(f, () -> {
            recorder.finished(f);
            return true;
        });
    }

    @Override
    public Void logChunk(LogChunk c) {
        if (!c.reliable()) {
            recorder.liveLines(c);
            return null;
        }
        return inOrder(c, () -> {
            recorder.chunk(c);
            return true;
        });
    }

    @Override
    public Void batchFinished(BatchFinished b) {
        return inOrder(b, () -> {
            s.pendingFinish = b;
            executor.finishWhenDurable();
            return false; // acknowledged with the lease's end
        });
    }

    /**
     * Applies reliable message {@code r} if it is the next one ({@code effect} says whether to acknowledge at
     * once, or only when what it started is durable). Lower: a retransmitted duplicate, acknowledged again.
     * Higher: a gap; the worker re-sends everything unacknowledged, so it is dropped (go-back-N).
     */
    private Void inOrder(ReliableMessage r, BooleanSupplier effect) {
        if (!s.inbox.take(r.seq())) {
            executor.sendAck();
            return null;
        }
        s.processingSeq = r.seq();
        s.accepted = true;
        boolean ackNow = effect.getAsBoolean();
        s.processingSeq = 0;
        s.processingKey = null;
        if (ackNow) {
            executor.sendAck();
        }
        return null;
    }
}
