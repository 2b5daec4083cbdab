package org.ktestci.protocol;

/**
 * A worker → executor message that belongs to one lease (fencing: protocol.md §4.2). {@link #accept} hands it to
 * the {@link Handler} method of its kind: every permitted record has one, so a handler covers them all (the
 * exhaustive switch over this sealed type that Java 17 does not have yet).
 */
public sealed interface LeaseMessage extends ExecutorMessage
        permits ReliableMessage, BatchAccepted, BatchRefused, LeaseHeartbeat {
    String leaseId();

    long epoch();

    <R> R accept(Handler<R> handler);

    /** One method per kind of lease message. */
    interface Handler<R> {
        R batchAccepted(BatchAccepted m);

        R batchRefused(BatchRefused m);

        R heartbeat(LeaseHeartbeat m);

        R subtestStarted(SubtestStarted m);

        R subtestFinished(SubtestFinished m);

        R logChunk(LogChunk m);

        R batchFinished(BatchFinished m);
    }
}
