package org.ktestci.worker.agent;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many coordinator messages this worker refused, by reason ({@code untrusted_gateway},
 * {@code not_acknowledged_gateway}, {@code unsolicited}, {@code malformed}, {@code foreign}). The worker has no
 * metrics endpoint: each refusal's log line carries the running count, and tests read {@link #snapshot}.
 */
public final class AgentRejects {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts one refusal; returns the total for {@code reason} so far. */
    long count(String reason) {
        LongAdder a = counts.computeIfAbsent(reason, r -> new LongAdder());
        a.increment();
        return a.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((r, a) -> out.put(r, a.sum()));
        return out;
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
