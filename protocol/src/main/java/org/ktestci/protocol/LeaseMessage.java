package org.ktestci.protocol;

/** A worker → executor message that belongs to one lease (fencing: protocol.md §4.2). */
public interface LeaseMessage extends ExecutorMessage {
    String leaseId();

    long epoch();
}
