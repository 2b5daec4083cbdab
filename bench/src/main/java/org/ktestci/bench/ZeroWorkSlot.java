package org.ktestci.bench;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;

import java.time.Duration;
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
        return create(Duration.ZERO);
    }

    /** A slot whose batches take {@code runFor} of wall time before their verdicts come: a farm below saturation. */
    static Behavior<AgentMessage> create(Duration runFor) {
        return create(runFor, 0, 0);
    }

    /**
     * A slot whose batches take {@code runFor} ± {@code jitter} (a fraction, drawn uniformly per batch) and that sends
     * a heartbeat every 3 s meanwhile, as a worker does, so batches may outlast {@code lease_timeout} and slots that
     * started together drift apart as a real farm's do.
     */
    static Behavior<AgentMessage> create(Duration runFor, double jitter, long seed) {
        if (runFor.isZero()) {
            return answering();
        }
        java.util.Random rnd = new java.util.Random(seed);
        return Behaviors.setup(ctx -> Behaviors.receive(AgentMessage.class)
                .onMessage(RunBatch.class, b -> {
                    b.executor().tell(new BatchAccepted(b.leaseId(), b.epoch()));
                    long took = Math.round(runFor.toMillis() * (1 - jitter + 2 * jitter * rnd.nextDouble()));
                    long started = System.currentTimeMillis();
                    org.apache.pekko.actor.Cancellable beats = ctx.getSystem().scheduler().scheduleWithFixedDelay(
                            Duration.ofSeconds(3), Duration.ofSeconds(3),
                            () -> b.executor().tell(new LeaseHeartbeat(b.leaseId(), b.epoch(), b.slot(),
                                    b.subtests().get(0).resultKey(), 1,
                                    (System.currentTimeMillis() - started) / 1000, ctx.getSelf())),
                            ctx.getExecutionContext());
                    ActorRefHolder.schedule(ctx, Duration.ofMillis(took), () -> {
                        beats.cancel();
                        finish(b);
                    });
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build());
    }

    private static Behavior<AgentMessage> answering() {
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
                    b.executor().tell(new BatchFinished(b.leaseId(), b.epoch(), ++seq, BatchOutcome.COMPLETED,
                            LeaseEndReason.NONE, "",
                            List.of(), List.of()));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same()) // acks, heartbeat answers
                .build();
    }

    private static void finish(RunBatch b) {
        long seq = 0;
        long now = System.currentTimeMillis();
        for (RunBatch.BatchSubtest s : b.subtests()) {
            b.executor().tell(new SubtestFinished(b.leaseId(), b.epoch(), ++seq, s.resultKey(),
                    "========= PASSED " + s.name() + " in 0s", "PASSED", 0, now, now, 1, s.resultKey(), ""));
        }
        b.executor().tell(new BatchFinished(b.leaseId(), b.epoch(), ++seq, BatchOutcome.COMPLETED,
                LeaseEndReason.NONE, "",
                List.of(), List.of()));
    }

    /** Runs {@code r} on the actor system's scheduler after {@code d} (the replies need no actor state). */
    private static final class ActorRefHolder {
        static void schedule(ActorContext<AgentMessage> ctx, Duration d,
                             Runnable r) {
            ctx.getSystem().scheduler().scheduleOnce(d, r, ctx.getExecutionContext());
        }
    }
}
