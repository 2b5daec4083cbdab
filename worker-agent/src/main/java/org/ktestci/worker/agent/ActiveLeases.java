package org.ktestci.worker.agent;

import org.ktestci.protocol.WorkerHello;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leases this worker still runs or still owes results for, as a hello reports them (protocol.md §2
 * {@code activeLeases}) so a restarted or failed-over coordinator can resume them. The slot runners publish an
 * immutable snapshot of a lease whenever its numbers change, the agent reads them when it says hello;
 * thread-safe.
 */
public final class ActiveLeases {
    private final Map<String, WorkerHello.ActiveLease> byLease = new ConcurrentHashMap<>();

    void put(String leaseId, WorkerHello.ActiveLease state) {
        byLease.put(leaseId, state);
    }

    void remove(String leaseId) {
        byLease.remove(leaseId);
    }

    public List<WorkerHello.ActiveLease> snapshot() {
        List<WorkerHello.ActiveLease> out = new ArrayList<>(byLease.values());
        out.sort(Comparator.comparingInt(WorkerHello.ActiveLease::slot));
        return out;
    }
}
