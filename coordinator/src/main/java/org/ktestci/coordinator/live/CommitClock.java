package org.ktestci.coordinator.live;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When each commit was first seen at a branch tip, for the commit-seen → first-lease and → first-verdict
 * histograms. Kept in memory for the newest {@value #MAX} commits; a restart starts afresh (the histograms then
 * skip commits seen before it).
 */
public final class CommitClock {
    static final int MAX = 10_000;

    private final Map<String, Long> seen = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX;
        }
    };
    private final Map<String, Boolean> leased = new LinkedHashMap<>();

    public synchronized void seenAtTip(String sha, long atMillis) {
        seen.putIfAbsent(sha, atMillis);
    }

    /** Millis since first seen, the first time this is asked for {@code sha} (its first lease); else empty. */
    public synchronized OptionalLong firstLease(String sha, long nowMillis) {
        Long t = seen.get(sha);
        if (t == null || leased.putIfAbsent(sha, Boolean.TRUE) != null) {
            return OptionalLong.empty();
        }
        if (leased.size() > MAX) {
            leased.keySet().retainAll(seen.keySet());
        }
        return OptionalLong.of(nowMillis - t);
    }

    /** Millis since first seen, once per commit (its first verdict); the commit is then forgotten. */
    public synchronized OptionalLong firstVerdict(String sha, long nowMillis) {
        Long t = seen.remove(sha);
        leased.remove(sha);
        return t == null ? OptionalLong.empty() : OptionalLong.of(nowMillis - t);
    }
}
