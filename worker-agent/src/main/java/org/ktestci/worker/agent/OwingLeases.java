package org.ktestci.worker.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A slot's leases that still owe the coordinator results: the running one's outbox and those of finished runs not
 * yet acknowledged. These are re-sent every 5 s, can be resumed by a new coordinator, and are what the hello
 * reports in {@code activeLeases}: each change is published to {@link ActiveLeases} as an immutable snapshot,
 * which the agent reads on its own thread. State of the slot's actor.
 */
final class OwingLeases {
    private final int slot;
    private final ActiveLeases active;
    private final Map<String, LeaseOutbox<SlotRun.Route>> byLease = new LinkedHashMap<>();

    OwingLeases(int slot, ActiveLeases active) {
        this.slot = slot;
        this.active = active;
    }

    void add(LeaseOutbox<SlotRun.Route> outbox) {
        byLease.put(outbox.leaseId(), outbox);
        active.put(outbox.leaseId(), outbox.activeLease(slot));
    }

    /** The outbox of {@code leaseId}, or null when it owes nothing (unknown, settled, or given up). */
    LeaseOutbox<SlotRun.Route> get(String leaseId) {
        return byLease.get(leaseId);
    }

    /** After {@code outbox} sent or was acknowledged: the hello reports its new numbers. */
    void published(LeaseOutbox<SlotRun.Route> outbox) {
        if (byLease.get(outbox.leaseId()) == outbox) {
            active.put(outbox.leaseId(), outbox.activeLease(slot));
        }
    }

    /** The lease is gone or given up: its results are not re-sent, resumed or reported any more. */
    void forget(String leaseId) {
        byLease.remove(leaseId);
        active.remove(leaseId);
    }

    /** A finished run's lease whose results are all acknowledged is done with; a running one stays. */
    void settle(LeaseOutbox<SlotRun.Route> outbox, boolean running) {
        if (!running && outbox.settled()) {
            forget(outbox.leaseId());
        } else {
            published(outbox);
        }
    }

    /** Re-sends everything not yet acknowledged, lease by lease, in order (protocol.md §4.1). */
    void retransmit() {
        byLease.values().forEach(LeaseOutbox::retransmit);
    }
}
