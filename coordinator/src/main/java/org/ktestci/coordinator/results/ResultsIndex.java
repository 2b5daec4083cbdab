package org.ktestci.coordinator.results;

import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-side copy of every commit's results (storage.md §7.2 "verdict index"), written only by the
 * {@link CommitEntity} entities after each persisted event and on recovery. The scheduler reads it to drop keys
 * that have verdicts, the projector renders from it, the dashboard reads journal-side details from it.
 */
public final class ResultsIndex {
    private final Map<String, Map<String, ResultRecord>> byCommit = new ConcurrentHashMap<>();
    /** Per commit, how often a verdict went away (cleared): caches of "what still lacks a verdict" key on it. */
    private final Map<String, Long> removals = new ConcurrentHashMap<>();
    /** Bumped by every write: the dashboard's kept pages show journal-side details and must see any change. */
    private final AtomicLong changes = new AtomicLong();
    /** Commits whose entity cannot recover from the journal, with why: they hold no entries here. */
    private final Map<String, String> quarantined = new ConcurrentHashMap<>();

    /** Sets a commit's entries (its entity on recovery; tests). */
    public void replace(String sha, Map<String, ResultRecord> records) {
        Map<String, ResultRecord> before = byCommit.put(sha, new ConcurrentHashMap<>(records));
        changes.incrementAndGet();
        if (before != null && before.values().stream().anyMatch(r -> r.hasVerdict() && !hasVerdict(records, r.key()))) {
            removals.merge(sha, 1L, Long::sum);
        }
    }

    void update(String sha, Map<String, ResultRecord> current, Set<String> keys) {
        Map<String, ResultRecord> m = byCommit.computeIfAbsent(sha, s -> new ConcurrentHashMap<>());
        changes.incrementAndGet();
        for (String k : keys) {
            ResultRecord r = current.get(k);
            ResultRecord before = r == null ? m.remove(k) : m.put(k, r);
            if (before != null && before.hasVerdict() && (r == null || !r.hasVerdict())) {
                removals.merge(sha, 1L, Long::sum);
            }
        }
    }

    /** The commit's events are gone from the journal (retention): a quarantine of it ends too. */
    void remove(String sha) {
        byCommit.remove(sha);
        quarantined.remove(sha);
        changes.incrementAndGet();
        removals.merge(sha, 1L, Long::sum);
    }

    /**
     * The commit's journal entity cannot recover: it is left out, its results are unavailable, and the scheduler
     * treats it as done so nothing runs (or is lost) for it until an operator repairs or removes its events.
     */
    void quarantine(String sha, String reason) {
        quarantined.put(sha, reason);
        byCommit.remove(sha);
        changes.incrementAndGet();
        removals.merge(sha, 1L, Long::sum);
    }

    public boolean isQuarantined(String sha) {
        return quarantined.containsKey(sha);
    }

    /** Quarantined commits and why (a short reason, safe to show). */
    public Map<String, String> quarantined() {
        return Map.copyOf(quarantined);
    }

    /** How many writes the index has seen. */
    public long changes() {
        return changes.get();
    }

    public long removals(String sha) {
        return removals.getOrDefault(sha, 0L);
    }

    private static boolean hasVerdict(Map<String, ResultRecord> m, String key) {
        ResultRecord r = m.get(key);
        return r != null && r.hasVerdict();
    }

    /** The commit's current entries (a live, read-only view; empty when it has none). */
    public Map<String, ResultRecord> commit(String sha) {
        Map<String, ResultRecord> m = byCommit.get(sha);
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
    }

    public Set<String> commits() {
        return Set.copyOf(byCommit.keySet());
    }

    public Optional<ResultRecord> record(String sha, String key) {
        return Optional.ofNullable(commit(sha).get(key));
    }

    /**
     * The keys of {@code sha} whose verdict is Failed and not flaky (no re-run passed), or empty while the commit has
     * no verdict at all (not tested): what {@code order = "failures_first"} looks back at (scheduling.md §3 step 5).
     */
    public Optional<Set<String>> failures(String sha) {
        Set<String> failed = new HashSet<>();
        boolean tested = false;
        for (ResultRecord r : commit(sha).values()) {
            if (!r.hasVerdict()) {
                continue;
            }
            tested = true;
            if (r.status() == Status.FAILED
                    && !Observation.flaky(r.status(), r.observations())) {
                failed.add(r.key());
            }
        }
        return tested ? Optional.of(failed) : Optional.empty();
    }

    public boolean hasVerdict(String sha, String key) {
        Map<String, ResultRecord> m = byCommit.get(sha);
        ResultRecord r = m == null ? null : m.get(key);
        return r != null && r.hasVerdict();
    }
}
