package org.ktestci.coordinator.execution;

import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LeaseMessage;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WireCheck;
import org.ktestci.protocol.WireRules;
import org.ktestci.schema.status.Status;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.ktestci.protocol.WireRules.quote;

/**
 * Every field of every message a worker sends an {@link Executor}, checked before the executor changes anything
 * (fencing, sequence numbers, the lease's renewal): ids and keys by their charsets, numbers in range, an artifact
 * chunk inside its artifact. A message that fails gets {@code Reject{reason: malformed}}.
 */
final class LeaseMessageCheck {
    private static final Set<String> STATUSES = Set.copyOf(Arrays.stream(Status.values()).map(Enum::name).toList());
    private static final Set<String> KINDS = Set.of(LogChunk.KIND_LOG, LogChunk.KIND_FULL_LOG, LogChunk.KIND_LIVE);
    /** protocol.md §4.3: live console chunks are at most 64 KiB. */
    static final int MAX_LIVE_BYTES = 64 * 1024;
    private static final int MAX_ITERATION = 1_000_000;

    private LeaseMessageCheck() {
    }

    static Optional<String> problem(ExecutorMessage m) {
        if (!(m instanceof LeaseMessage l)) {
            return Optional.of("not a lease message");
        }
        WireCheck c = new WireCheck()
                .check(WireRules.leaseId(l.leaseId()), () -> "leaseId " + quote(l.leaseId()))
                .check(WireRules.epoch(l.epoch()), () -> "epoch " + l.epoch() + " out of range");
        if (m instanceof ReliableMessage r && !(m instanceof LogChunk)) {
            c.check(r.seq() >= 1, () -> "seq " + r.seq()); // a chunk's seq depends on its kind: chunk()
        }
        if (m instanceof BatchAccepted) {
            return c.problem();
        } else if (m instanceof BatchRefused r) {
            c.check(WireRules.known(r.reason()), () -> "refusal reason " + quote(r.reason()));
        } else if (m instanceof LeaseHeartbeat hb) {
            c.check(hb.slot() >= 0 && hb.slot() < WireRules.MAX_SLOTS, () -> "slot " + hb.slot())
                    .check(WireRules.resultKeyOrEmpty(hb.currentKey()), () -> "currentKey " + quote(hb.currentKey()))
                    .check(hb.iteration() >= 0 && hb.iteration() <= MAX_ITERATION, () -> "iteration " + hb.iteration())
                    .check(hb.elapsedSecs() >= 0, () -> "elapsedSecs " + hb.elapsedSecs())
                    .check(hb.replyTo() != null, "no replyTo");
        } else if (m instanceof SubtestStarted s) {
            c.check(WireRules.resultKey(s.resultKey()), () -> "resultKey " + quote(s.resultKey()))
                    .check(s.iteration() >= 0 && s.iteration() <= MAX_ITERATION, () -> "iteration " + s.iteration())
                    .check(s.at() >= 0, () -> "at " + s.at());
        } else if (m instanceof SubtestFinished f) {
            c.check(WireRules.resultKey(f.resultKey()), () -> "resultKey " + quote(f.resultKey()))
                    .check(WireRules.line(f.statusLine(), WireRules.MAX_LINE),
                            () -> "statusLine " + quote(f.statusLine()))
                    .check(WireRules.oneOf(STATUSES, f.status()), () -> "status " + quote(f.status()))
                    .check(f.durationSecs() >= 0, () -> "durationSecs " + f.durationSecs())
                    .check(f.startedAt() >= 0 && f.finishedAt() >= 0, "negative time")
                    .check(f.iteration() >= 0 && f.iteration() <= MAX_ITERATION, () -> "iteration " + f.iteration())
                    .check(WireRules.resultKeyOrEmpty(f.fullLogKey()), () -> "fullLogKey " + quote(f.fullLogKey()))
                    .check(f.run() == null || WireRules.text(f.run(), WireRules.MAX_RUN_INFO), "run info too long");
        } else if (m instanceof LogChunk ch) {
            c.include(chunk(ch));
        } else if (m instanceof BatchFinished b) {
            c.check(WireRules.known(b.outcome()), () -> "outcome " + quote(b.outcome()))
                    .check(WireRules.known(b.reason()), () -> "reason " + quote(b.reason()))
                    .check("".equals(b.declaredArch()) || WireRules.arch(b.declaredArch()),
                            () -> "declaredArch " + quote(b.declaredArch()))
                    .include(unreached(b.unreached()))
                    .include(iterations(b.iterations()));
        }
        return c.problem();
    }

    /** A chunk lies inside its artifact; a live one is small and unnumbered. */
    static Optional<String> chunk(LogChunk ch) {
        WireCheck c = new WireCheck()
                .check(WireRules.oneOf(KINDS, ch.kind()), () -> "kind " + quote(ch.kind()))
                .check(ch.data() != null, "no data");
        if (!c.ok()) {
            return c.problem();
        }
        long end = ch.offset() + (long) ch.data().length;
        if (!ch.reliable()) {
            return c.check(ch.seq() == 0, () -> "live chunk with seq " + ch.seq())
                    .check(ch.data().length <= MAX_LIVE_BYTES, () -> "live chunk of " + ch.data().length + " bytes")
                    .check(WireRules.resultKeyOrEmpty(ch.resultKey()), () -> "resultKey " + quote(ch.resultKey()))
                    .problem();
        }
        return c.check(ch.seq() >= 1, () -> "seq " + ch.seq())
                .check(WireRules.resultKey(ch.resultKey()), () -> "resultKey " + quote(ch.resultKey()))
                .check(ch.iteration() >= 0 && ch.iteration() <= MAX_ITERATION, () -> "iteration " + ch.iteration())
                .check(ch.data().length <= LogChunk.MAX_CHUNK_BYTES, () -> "chunk of " + ch.data().length + " bytes")
                .check(ch.totalSize() >= 0 && ch.totalSize() <= WireRules.MAX_ARTIFACT_BYTES,
                        () -> "totalSize " + ch.totalSize())
                .check(ch.offset() >= 0 && ch.offset() <= ch.totalSize() - ch.data().length, // no overflow
                        () -> "chunk " + ch.offset() + ".." + end + " outside 0.." + ch.totalSize())
                .check(!ch.eof() || end == ch.totalSize(),
                        () -> "last chunk ends at " + end + ", not " + ch.totalSize())
                .problem();
    }

    private static Optional<String> unreached(List<BatchFinished.Unreached> list) {
        if (list == null || list.size() > WireRules.MAX_LIST) {
            return Optional.of("unreached list missing or too long");
        }
        for (BatchFinished.Unreached u : list) {
            if (u == null || !WireRules.resultKey(u.resultKey()) || !WireRules.known(u.reason()) || u.reason() == LeaseEndReason.NONE) {
                return Optional.of("unreached entry " + quote(u));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> iterations(List<BatchFinished.Iteration> list) {
        if (list == null || list.size() > WireRules.MAX_LIST) {
            return Optional.of("iterations missing or too long");
        }
        for (BatchFinished.Iteration it : list) {
            if (it == null || !WireRules.oneOf(HelloCheck.RUNNERS, it.runner()) || !WireRules.arch(it.arch())
                    || it.seconds() < 0 || !WireRules.known(it.outcome())) {
                return Optional.of("iteration entry " + quote(it));
            }
        }
        return Optional.empty();
    }
}
