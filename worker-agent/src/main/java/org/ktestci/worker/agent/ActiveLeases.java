package org.ktestci.worker.agent;

import org.ktestci.protocol.WorkerHello;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The leases this worker still runs or still owes results for, as a hello reports them (protocol.md §2
 * {@code activeLeases}) so a restarted or failed-over coordinator can resume them. Written by the slot runners,
 * read by the agent; thread-safe.
 */
public final class ActiveLeases {
    private final Map<String, Supplier<WorkerHello.ActiveLease>> bySlotLease = new ConcurrentHashMap<>();

    void put(String leaseId, Supplier<WorkerHello.ActiveLease> state) {
        bySlotLease.put(leaseId, state);
    }

    void remove(String leaseId) {
        bySlotLease.remove(leaseId);
    }

    public List<WorkerHello.ActiveLease> snapshot() {
        List<WorkerHello.ActiveLease> out = new ArrayList<>();
        bySlotLease.values().forEach(s -> out.add(s.get()));
        out.sort(java.util.Comparator.comparingInt(WorkerHello.ActiveLease::slot));
        return out;
    }
}
