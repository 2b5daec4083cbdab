package org.ktestci.coordinator.scheduling;

import org.ktestci.protocol.BatchOutcome;

/**
 * How a lease ended, as the executor tells the window ({@code JobWindow.EndLease}): the worker's
 * {@link BatchOutcome}, or one of the coordinator's own endings. Only the window's log line and the SSE
 * {@code lease} event see it; the journal keeps the reason (scheduling.md §7).
 */
public enum LeaseEndKind {
    COMPLETED, INFRA_FAILURE, ARCH_MISMATCH,
    /** The slot refused the batch, or the executor gave back a batch it could not take. */
    REFUSED,
    /** Never taken (dispatch timeout), or not resumed after a failover. */
    ABANDONED,
    /** No heartbeat within {@code lease_timeout}. */
    EXPIRED,
    /** An administrator revoked it. */
    REVOKED,
    /** The worker's host left the cluster or said goodbye. */
    HOST_DOWN;

    /** The worker's outcome; {@code UNKNOWN} never gets here ({@code LeaseMessageCheck} refuses it). */
    public static LeaseEndKind of(BatchOutcome outcome) {
        return switch (outcome) {
            case COMPLETED -> COMPLETED;
            case ARCH_MISMATCH -> ARCH_MISMATCH;
            case INFRA_FAILURE, UNKNOWN -> INFRA_FAILURE;
        };
    }
}
