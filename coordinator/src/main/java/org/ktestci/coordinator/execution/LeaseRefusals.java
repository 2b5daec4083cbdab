package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LeaseMessage;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectLog;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.WireRules;
import org.slf4j.Logger;

/**
 * How an {@link Executor} turns away what a worker (or anyone on the cluster) sent it: counted, logged (a flood
 * only in part) and answered, with nothing recorded (protocol.md §4.2).
 */
final class LeaseRefusals {
    private final SlotId slot;
    private final ActorRef<AgentMessage> agent;
    private final CoordinatorMetrics metrics;
    private final Logger log;
    private final RejectLog rejectLog = new RejectLog();

    LeaseRefusals(SlotId slot, ActorRef<AgentMessage> agent, CoordinatorMetrics metrics, Logger log) {
        this.slot = slot;
        this.agent = agent;
        this.metrics = metrics;
        this.log = log;
    }

    /** Something that is not a lease message reached the executor. */
    void foreign(Object message) {
        String type = message == null ? "null" : message.getClass().getSimpleName();
        metrics.protocolRejects.labelValues("executor", "foreign", "not_a_lease_message").inc();
        rejectLog.admit("foreign", System.currentTimeMillis()).ifPresent(more -> log
                .warn("message refused: slot={} type={}: not a lease message{}", slot, WireRules.quote(type), more));
    }

    /**
     * A message refused before any effect. A heartbeat from another node is answered {@code valid = false} at its
     * own reply address; anything else gets {@code Reject{reason}} at the slot's worker, which only logs a
     * {@code malformed} one: whoever sent it, it must not cost the slot's run.
     */
    void refuse(LeaseMessage m, RejectReason reason, String why) {
        String type = m.getClass().getSimpleName();
        metrics.protocolRejects.labelValues("executor", type, reason.wireName()).inc();
        rejectLog.admit(type + "/" + reason, System.currentTimeMillis()).ifPresent(more -> log
                .warn("message refused: slot={} type={} lease={} reason={}: {}{}", slot, type,
                        WireRules.quote(m.leaseId()), reason, why, more));
        if (!WireRules.leaseId(m.leaseId())) {
            return;
        }
        if (m instanceof LeaseHeartbeat hb && reason == RejectReason.WRONG_HOST) {
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
        } else {
            agent.tell(new Reject(m.leaseId(), m.epoch(), seqOf(m), reason));
        }
    }

    /** A message for a lease that is not the slot's current one (a stale worker, a deposed coordinator's lease). */
    void stale(LeaseMessage m) {
        String type = m.getClass().getSimpleName();
        metrics.staleMessages.labelValues(type).inc();
        log.warn("stale message rejected: slot={} type={} lease={} epoch={}", slot, type, m.leaseId(), m.epoch());
        if (m instanceof LeaseHeartbeat hb) {
            hb.replyTo().tell(new HeartbeatAck(hb.leaseId(), hb.epoch(), false, 0));
        } else {
            agent.tell(new Reject(m.leaseId(), m.epoch(), seqOf(m), RejectReason.STALE_LEASE));
        }
    }

    private static long seqOf(LeaseMessage m) {
        return m instanceof ReliableMessage r ? r.seq() : 0;
    }
}
