package org.ktestci.worker.agent;

import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RunBatch;

import java.util.List;

/** One batch's work on a slot: runs to the end on a blocking thread, or stops early when aborted. */
public interface BatchRun {
    /** Blocks until the batch ends; returns the message that ends the lease (without lease fields). */
    BatchFinished execute();

    /** Called from another thread when the lease is revoked or the agent shuts down. */
    void abort();

    @FunctionalInterface
    interface Factory {
        BatchRun create(RunBatch batch, LeaseSink sink);
    }

    /** A batch that ends at once as the infrastructure failure {@code reason}, every subtest unreached. */
    static BatchRun failed(RunBatch batch, LeaseEndReason reason, String detail, LeaseSink sink) {
        return new BatchRun() {
            @Override
            public BatchFinished execute() {
                sink.note(reason.wireName() + ": " + detail);
                return new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, reason, "",
                        batch.subtests().stream().map(s -> new BatchFinished.Unreached(s.resultKey(), reason)).toList(),
                        List.of());
            }

            @Override
            public void abort() {
            }
        };
    }
}
