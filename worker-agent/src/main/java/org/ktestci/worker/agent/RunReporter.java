package org.ktestci.worker.agent;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.protocol.LogChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The {@link LeaseSink} a slot gives its batch: every report becomes a message to the slot's actor, so the batch's
 * thread shares no state with it. Reports of one run arrive in the order they were made, and before the run's
 * end (which the actor learns when {@code execute} returns).
 */
final class RunReporter implements LeaseSink {
    private static final Logger LOG = LoggerFactory.getLogger(SlotRunner.class);

    private final ActorRef<SlotRunner.Command> slot;
    private final String leaseId;

    RunReporter(ActorRef<SlotRunner.Command> slot, String leaseId) {
        this.slot = slot;
        this.leaseId = leaseId;
    }

    private void post(RunEvent event) {
        slot.tell(new SlotRunner.FromRun(leaseId, event));
    }

    @Override
    public void subtestStarted(String resultKey, int iteration, long atMillis) {
        post(new RunEvent.Began(resultKey, iteration, atMillis));
    }

    @Override
    public void subtestFinished(String resultKey, String statusLine, String status, int durationSecs,
                                long startedAtMillis, long finishedAtMillis, int iteration, String fullLogKey) {
        post(new RunEvent.Verdict(resultKey, statusLine, status, durationSecs, startedAtMillis, finishedAtMillis,
                iteration, fullLogKey));
    }

    /** Cut here, on the batch's thread, into chunks below Artery's frame size (protocol.md §4.3). */
    @Override
    public void artifact(String resultKey, String kind, int iteration, byte[] brotli) {
        int offset = 0;
        do {
            int n = Math.min(LogChunk.MAX_CHUNK_BYTES, brotli.length - offset);
            byte[] part = Arrays.copyOfRange(brotli, offset, offset + n);
            boolean eof = offset + n >= brotli.length;
            post(new RunEvent.ArtifactPart(resultKey, kind, iteration, offset, brotli.length, part, eof));
            offset += n;
        } while (offset < brotli.length);
    }

    @Override
    public void runInfo(int iteration, String info) {
        post(new RunEvent.Runner(iteration, info));
    }

    @Override
    public void consoleLine(String line) {
        post(new RunEvent.Console(line));
    }

    @Override
    public void note(String line) {
        LOG.info("lease={} {}", leaseId, line);
    }
}
