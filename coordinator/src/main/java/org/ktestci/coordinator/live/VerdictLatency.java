package org.ktestci.coordinator.live;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each verdict was received, until the projection has made it visible ({@code <sha>.capnp} renamed):
 * {@code ktest_ci_verdict_visible_seconds}. Verdicts replayed after a restart were not received by this process
 * and are not measured.
 */
public final class VerdictLatency {
    static final int MAX = 100_000;

    private final Map<String, Long> received = new ConcurrentHashMap<>();

    public void received(String sha, String key, long atMillis) {
        if (received.size() >= MAX) {
            received.clear(); // never rendered (a stuck projection): drop the measurements, not the memory
        }
        received.put(sha + '\0' + key, atMillis);
    }

    public OptionalLong visible(String sha, String key, long nowMillis) {
        Long at = received.remove(sha + '\0' + key);
        return at == null ? OptionalLong.empty() : OptionalLong.of(nowMillis - at);
    }
}
