package org.ktestci.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps refused wire messages from flooding the log: per kind, the first {@value #PER_MINUTE} in a minute are
 * logged, the rest only counted (and the count of those skipped is added to the next line logged). A hostile
 * member can make an actor refuse thousands of messages a second; the counters see all of them.
 * Used by one actor at a time (not thread-safe).
 */
public final class RejectLog {
    static final int PER_MINUTE = 10;

    private record Window(long start, int logged, long skipped) {}

    private final Map<String, Window> windows = new HashMap<>();

    /**
     * Whether to log this refusal of {@code kind} now: empty when not; otherwise a suffix for the line
     * ({@code ""}, or {@code " (n more not logged)"}).
     */
    public Optional<String> admit(String kind, long nowMillis) {
        Window w = windows.get(kind);
        if (w == null || nowMillis - w.start() >= 60_000) {
            long skipped = w == null ? 0 : w.skipped();
            windows.put(kind, new Window(nowMillis, 1, 0));
            return Optional.of(skipped == 0 ? "" : " (" + skipped + " more not logged)");
        }
        if (w.logged() < PER_MINUTE) {
            windows.put(kind, new Window(w.start(), w.logged() + 1, w.skipped()));
            return Optional.of("");
        }
        windows.put(kind, new Window(w.start(), w.logged(), w.skipped() + 1));
        return Optional.empty();
    }
}
