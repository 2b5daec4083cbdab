package org.ktestci.coordinator.results;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-side copy of every commit's results, kept current by {@link ResultsStore} (its only writer). The
 * scheduler reads it to drop keys that have verdicts; the dashboard reads journal-side details from it.
 */
public final class ResultsIndex {
    private final Map<String, Map<String, ResultRecord>> byCommit = new ConcurrentHashMap<>();

    void put(String sha, Map<String, ResultRecord> records) {
        byCommit.put(sha, Map.copyOf(records));
    }

    public Map<String, ResultRecord> commit(String sha) {
        return byCommit.getOrDefault(sha, Map.of());
    }

    public Optional<ResultRecord> record(String sha, String key) {
        return Optional.ofNullable(commit(sha).get(key));
    }

    public boolean hasVerdict(String sha, String key) {
        ResultRecord r = commit(sha).get(key);
        return r != null && r.hasVerdict();
    }
}
