package org.ktestci.coordinator.branches;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Last fetch time and error per branch, written by {@link BranchWatcher}, read by the dashboard. */
public final class BranchFetchStatus {
    public record Entry(Instant at, Optional<String> error) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    void record(String branch, Instant at, Optional<String> error) {
        entries.put(branch, new Entry(at, error));
    }

    public Optional<Entry> of(String branch) {
        return Optional.ofNullable(entries.get(branch));
    }
}
