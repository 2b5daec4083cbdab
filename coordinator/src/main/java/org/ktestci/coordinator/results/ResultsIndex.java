package org.ktestci.coordinator.results;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-side copy of every commit's results (storage.md §7.2 "verdict index"), written only by the
 * {@link CommitResults} entities after each persisted event and on recovery. The scheduler reads it to drop keys
 * that have verdicts, the projector renders from it, the dashboard reads journal-side details from it.
 */
public final class ResultsIndex {
    private final Map<String, Map<String, ResultRecord>> byCommit = new ConcurrentHashMap<>();

    void replace(String sha, Map<String, ResultRecord> records) {
        Map<String, ResultRecord> m = new ConcurrentHashMap<>(records);
        byCommit.put(sha, m);
    }

    void update(String sha, Map<String, ResultRecord> current, Set<String> keys) {
        Map<String, ResultRecord> m = byCommit.computeIfAbsent(sha, s -> new ConcurrentHashMap<>());
        for (String k : keys) {
            ResultRecord r = current.get(k);
            if (r == null) {
                m.remove(k);
            } else {
                m.put(k, r);
            }
        }
    }

    void remove(String sha) {
        byCommit.remove(sha);
    }

    /** The commit's current entries (a live, read-only view; empty when it has none). */
    public Map<String, ResultRecord> commit(String sha) {
        Map<String, ResultRecord> m = byCommit.get(sha);
        return m == null ? Map.of() : java.util.Collections.unmodifiableMap(m);
    }

    public Set<String> commits() {
        return Set.copyOf(byCommit.keySet());
    }

    public Optional<ResultRecord> record(String sha, String key) {
        return Optional.ofNullable(commit(sha).get(key));
    }

    public boolean hasVerdict(String sha, String key) {
        Map<String, ResultRecord> m = byCommit.get(sha);
        ResultRecord r = m == null ? null : m.get(key);
        return r != null && r.hasVerdict();
    }
}
