package org.ktestci.worker.agent;

import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WireCheck;
import org.ktestci.protocol.WireRules;

import java.util.List;
import java.util.Optional;

import static org.ktestci.protocol.WireRules.quote;

/**
 * Every field of every message the coordinator sends a worker, checked by the {@link WorkerAgent} before anything
 * acts on it: the one place for the agent's wire input ({@code RunBatch} through {@link BatchValidator}).
 */
final class AgentMessageCheck {
    private static final int MAX_SECS = 7 * 24 * 3600;

    private final BatchValidator batches;

    AgentMessageCheck(BatchValidator batches) {
        this.batches = batches;
    }

    Optional<String> problem(AgentMessage m) {
        if (m instanceof RunBatch b) {
            return batches.malformation(b);
        }
        if (m instanceof HelloAck a) {
            return helloAck(a);
        }
        if (m instanceof HelloRequest) {
            return Optional.empty();
        }
        WireCheck c = new WireCheck();
        if (m instanceof RevokeLease r) {
            c.check(WireRules.leaseId(r.leaseId()), () -> "leaseId " + quote(r.leaseId()))
                    .check(WireRules.epoch(r.epoch()), () -> "epoch " + r.epoch())
                    .check(WireRules.known(r.reason()), () -> "reason " + quote(r.reason()));
        } else if (m instanceof HeartbeatAck h) {
            c.check(WireRules.leaseId(h.leaseId()), () -> "leaseId " + quote(h.leaseId()))
                    .check(WireRules.epoch(h.epoch()), () -> "epoch " + h.epoch())
                    .check(h.ackedSeq() >= 0, () -> "ackedSeq " + h.ackedSeq());
        } else if (m instanceof Ack a) {
            c.check(WireRules.leaseId(a.leaseId()), () -> "leaseId " + quote(a.leaseId()))
                    .check(a.ackedSeq() >= 0, () -> "ackedSeq " + a.ackedSeq());
        } else if (m instanceof Reject r) {
            c.check(WireRules.leaseId(r.leaseId()), () -> "leaseId " + quote(r.leaseId()))
                    .check(WireRules.epoch(r.epoch()), () -> "epoch " + r.epoch())
                    .check(r.seq() >= 0, () -> "seq " + r.seq())
                    .check(WireRules.known(r.reason()), () -> "reason " + quote(r.reason()));
        }
        return c.problem();
    }

    private static Optional<String> helloAck(HelloAck a) {
        WireCheck c = new WireCheck()
                .check(a.reason() == null || WireRules.line(a.reason(), WireRules.MAX_LINE), "reason not one line")
                .check(!a.accepted() || (a.slots() >= 1 && a.slots() <= WireRules.MAX_SLOTS),
                        () -> "slots " + a.slots() + " not in 1.." + WireRules.MAX_SLOTS)
                .check(a.heartbeatIntervalSecs() >= 0 && a.heartbeatIntervalSecs() <= MAX_SECS,
                        () -> "heartbeatIntervalSecs " + a.heartbeatIntervalSecs())
                .check(a.leaseTimeoutSecs() >= 0 && a.leaseTimeoutSecs() <= MAX_SECS,
                        () -> "leaseTimeoutSecs " + a.leaseTimeoutSecs())
                .check(a.resume().size() <= WireRules.MAX_SLOTS && a.abandon().size() <= WireRules.MAX_LIST,
                        "resume or abandon list too long")
                .check(a.abandon().stream().allMatch(WireRules::leaseId), "bad lease id to abandon");
        List<HelloAck.Resume> resume = a.resume();
        for (HelloAck.Resume r : resume) {
            c.check(r != null && WireRules.leaseId(r.leaseId()) && r.executor() != null && r.expectedSeq() >= 1,
                    () -> "resume entry " + quote(r));
        }
        return c.problem();
    }
}
