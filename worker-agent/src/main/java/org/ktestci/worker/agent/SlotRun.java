package org.ktestci.worker.agent;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The batch a slot runs now, as its {@link SlotRunner} sees it: the run, the lease's {@link LeaseOutbox}, and what
 * the run has reported so far (the subtest it is in, the iteration, how its runner was started). Turns the run's
 * reports into protocol messages. State of the slot's actor, used only on its thread.
 */
final class SlotRun {
    /** Where a lease's messages go: its executor, and the door its heartbeat answers come back through. */
    record Route(ActorRef<ExecutorMessage> executor, ActorRef<AgentMessage> via) {}

    private static final LeaseOutbox.Transport<Route> TELL = (route, m) -> route.executor().tell(m);

    final RunBatch batch;
    final LeaseOutbox<Route> outbox;
    private final long startedAt = System.currentTimeMillis();
    private final LiveLog live = new LiveLog();
    BatchRun run;
    /** The run was told to stop (revoked, rejected, abandoned): the slot is about to be free. */
    boolean stopping;
    private String currentKey = "";
    private int iteration;
    /** How the current iteration's runner was started, attached to its verdicts. */
    private String runInfo = "";

    SlotRun(RunBatch batch, ActorRef<AgentMessage> via) {
        this.batch = batch;
        this.outbox = new LeaseOutbox<>(batch.leaseId(), batch.epoch(), new Route(batch.executor(), via), TELL);
    }

    String leaseId() {
        return batch.leaseId();
    }

    /** Whether {@code leaseId} and {@code epoch} name this run's lease. */
    boolean is(String leaseId, long epoch) {
        return batch.leaseId().equals(leaseId) && batch.epoch() == epoch;
    }

    /** A report of the run: reliable ones are numbered and sent in the order they were made. */
    void report(RunEvent e) {
        String lease = batch.leaseId();
        long epoch = batch.epoch();
        if (e instanceof RunEvent.Began s) {
            currentKey = s.resultKey();
            iteration = s.iteration();
            outbox.send(seq -> new SubtestStarted(lease, epoch, seq, s.resultKey(), s.iteration(), s.atMillis()));
        } else if (e instanceof RunEvent.Verdict v) {
            String run = runInfo;
            outbox.send(seq -> new SubtestFinished(lease, epoch, seq, v.resultKey(), v.statusLine(), v.status(),
                    v.durationSecs(), v.startedAtMillis(), v.finishedAtMillis(), v.iteration(), v.fullLogKey(), run));
        } else if (e instanceof RunEvent.ArtifactPart p) {
            outbox.send(seq -> new LogChunk(lease, epoch, seq, p.kind(), p.resultKey(), p.iteration(), p.offset(),
                    p.totalSize(), p.data(), p.eof()));
        } else if (e instanceof RunEvent.Runner r) {
            runInfo = r.info();
        } else if (e instanceof RunEvent.Console c && !outbox.silenced()) {
            live.add(c.line());
        }
    }

    /** The run's end, numbered after everything it reported (nothing when the outbox is silenced). */
    void finished(BatchFinished result) {
        outbox.send(seq -> new BatchFinished(batch.leaseId(), batch.epoch(), seq, result.outcome(), result.reason(),
                result.declaredArch(), result.unreached(), result.iterations()));
    }

    /** Pending console lines for live viewers: best effort, no sequence number, never retransmitted. */
    void sendLive() {
        List<String> lines = live.drain();
        if (!lines.isEmpty()) {
            byte[] data = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
            outbox.sendOnce(new LogChunk(batch.leaseId(), batch.epoch(), 0, LogChunk.KIND_LIVE, currentKey, iteration,
                    0, -1, data, false));
        }
    }

    /** Renews the lease; sent even when silenced, so a run that is being stopped still holds its slot. */
    void heartbeat(int slot, long now) {
        Route route = outbox.route();
        route.executor().tell(new LeaseHeartbeat(batch.leaseId(), batch.epoch(), slot, currentKey, iteration,
                (now - startedAt) / 1000, route.via()));
    }
}
