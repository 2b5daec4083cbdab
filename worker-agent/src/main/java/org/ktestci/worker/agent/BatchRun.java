package org.ktestci.worker.agent;

import org.ktestci.protocol.BatchFinished;

/** One batch's work on a slot: runs to the end on a blocking thread, or stops early when aborted. */
public interface BatchRun {
    /** Blocks until the batch ends; returns the message that ends the lease (without lease fields). */
    BatchFinished execute();

    /** Called from another thread when the lease is revoked or the agent shuts down. */
    void abort();

    @FunctionalInterface
    interface Factory {
        BatchRun create(org.ktestci.protocol.RunBatch batch, LeaseSink sink);
    }
}
