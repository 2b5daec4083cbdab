package org.ktestci.protocol;

/**
 * A lease message delivered exactly in order: numbered 1, 2, … per lease, retransmitted by the worker until
 * acknowledged, processed by the executor only when its {@code seq} is the next expected one.
 */
public sealed interface ReliableMessage extends LeaseMessage
        permits SubtestStarted, SubtestFinished, LogChunk, BatchFinished {
    long seq();
}
