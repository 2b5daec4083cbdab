package org.ktestci.bench;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;

import java.util.List;

/**
 * A worker agent whose slots do no work: every {@code RunBatch} is accepted and answered at once with a PASSED
 * verdict per subtest and {@code BatchFinished}, over the real protocol (sequence numbers and all), so the
 * coordinator's side (window, executors, results journal) is all that is measured.
 */
final class ZeroWorkSlot {
    private ZeroWorkSlot() {
    }

    static Behavior<AgentMessage> create() {
        return Behaviors.receive(AgentMessage.class)
                .onMessage(RunBatch.class, b -> {
                    b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch()));
                    long seq = 0;
                    long now = System.currentTimeMillis();
                    for (RunBatch.BatchSubtest s : b.subtests()) {
                        b.executor().tell(new SubtestFinished(b.leaseId(), b.epoch(), ++seq, s.resultKey(),
                                "========= PASSED " + s.name() + " in 0s", "PASSED", 0, now, now, 1, s.resultKey(),
                                ""));
                    }
                    b.executor().tell(new BatchFinished(b.leaseId(), b.epoch(), ++seq, BatchFinished.COMPLETED, "", "",
                            List.of(), List.of()));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same()) // acks, heartbeat answers
                .build();
    }
}
