package org.ktestci.protocol;

/**
 * Messages a slot runner sends to the coordinator's per-slot {@code Executor}. Every one carries the lease id
 * and fencing epoch it belongs to; the executor drops anything for a lease that is not current.
 */
public sealed interface ExecutorMessage extends CborSerializable permits LeaseMessage {
}
