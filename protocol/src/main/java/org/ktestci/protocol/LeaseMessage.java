package org.ktestci.protocol;

/** A worker → executor message that belongs to one lease (fencing: protocol.md §4.2). */
public sealed interface LeaseMessage extends ExecutorMessage
        permits ReliableMessage, BatchAccepted, BatchRefused, LeaseHeartbeat {
    String leaseId();

    long epoch();
}
