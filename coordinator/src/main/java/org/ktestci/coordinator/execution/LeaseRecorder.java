package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictOutcome;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

/**
 * Where an {@link Executor} records what its lease's worker reports: starts and verdicts in the results store,
 * log chunks in the artifact store, console lines to live viewers. Each durable write is a request of the
 * lease's {@link LeaseInbox}, answered to the executor through {@code verdictReplies} / {@code chunkReplies}.
 */
final class LeaseRecorder {
    private final SlotId slot;
    private final ActorRef<ResultsStore.Command> results;
    private final ActorRef<ArtifactStore.Command> artifacts;
    private final ActorRef<VerdictOutcome> verdictReplies;
    private final ActorRef<ArtifactStore.Written> chunkReplies;
    private final LiveEvents live;
    private final ExecutorState s;

    LeaseRecorder(SlotId slot, ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                  ActorRef<VerdictOutcome> verdictReplies, ActorRef<ArtifactStore.Written> chunkReplies,
                  LiveEvents live, ExecutorState state) {
        this.slot = slot;
        this.results = results;
        this.artifacts = artifacts;
        this.verdictReplies = verdictReplies;
        this.chunkReplies = chunkReplies;
        this.live = live;
        this.s = state;
    }

    void started(SubtestStarted st) {
        s.currentKey = st.resultKey();
        if (observation(st.resultKey()) == 0) { // a re-run leaves the verdict's page as it is
            results.tell(new ResultsStore.Started(s.lease.commit(), st.resultKey(), s.lease.leaseId(),
                    st.at() / 1000));
            live.started(s.lease.commit(), st.resultKey(), slot.host(), slot.index(), s.lease.leaseId(), st.at());
        }
    }

    /** A verdict for a key of the lease that has none yet in it (a re-sent one is a duplicate, ignored). */
    void finished(SubtestFinished f) {
        if (!isInLease(f.resultKey()) || s.verdictKeys.contains(f.resultKey())
                || s.unknownKeys.containsKey(f.resultKey())) {
            return;
        }
        s.processingKey = f.resultKey();
        Status status = StatusParser.parse(f.statusLine());
        if (status == Status.UNKNOWN) {
            s.unknownKeys.put(f.resultKey(), LeaseEndReason.UNKNOWN_STATUS);
        } else {
            s.verdictKeys.add(f.resultKey());
        }
        long token = s.inbox.await(f.seq(), f.resultKey(), System.currentTimeMillis());
        LeaseGrant lease = s.lease;
        int n = observation(f.resultKey());
        if (n > 0) {
            results.tell(new ResultsStore.Observe(lease.commit(), f.resultKey(), n, lease.leaseId(), slot.host(),
                    slot.index(), f.statusLine(), f.durationSecs(), f.finishedAt() / 1000, f.fullLogKey(),
                    observation(f.fullLogKey()), token, verdictReplies));
            return;
        }
        results.tell(new ResultsStore.Verdict(lease.commit(), f.resultKey(), lease.leaseId(), lease.epoch(),
                f.statusLine(), f.durationSecs(), f.startedAt() / 1000, f.finishedAt() / 1000, f.fullLogKey(),
                observation(f.fullLogKey()), f.run() == null ? "" : f.run(), token, verdictReplies));
    }

    /** A chunk of a log artifact of a key of the lease, written at its offset. */
    void chunk(LogChunk c) {
        if (isInLease(c.resultKey())) {
            long token = s.inbox.await(c.seq(), c.resultKey(), System.currentTimeMillis());
            artifacts.tell(new ArtifactStore.Write(s.lease.commit(), c, token, chunkReplies,
                    observation(c.resultKey())));
        }
    }

    void liveLines(LogChunk c) {
        live.leaseLog(s.lease.leaseId(), c.data());
    }

    /** The lease {@code ended} is over: its incomplete artifacts go. */
    void discardPartial(LeaseGrant ended) {
        artifacts.tell(new ArtifactStore.DiscardPartial(ended.commit(), ended.leaseId(),
                ended.jobs().stream().map(Job::resultKey).toList()));
    }

    /**
     * The re-run number of {@code key}'s job in this lease (issue 14), 0 for the job giving the verdict (and for a
     * key not in the lease).
     */
    private int observation(String key) {
        for (Job j : s.lease.jobs()) {
            if (j.resultKey().equals(key)) {
                return j.key().observation();
            }
        }
        return 0;
    }

    private boolean isInLease(String key) {
        return s.lease.jobs().stream().anyMatch(j -> j.resultKey().equals(key));
    }
}
