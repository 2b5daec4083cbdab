package org.ktestci.worker.console;

import java.util.Optional;

/**
 * Decides which console lines of one run are kept (written to the logs and streamed live), by
 * {@link ConsoleLimits}: markers always; plain lines while the run is under its byte cap and its sustained line
 * rate (a token bucket: {@code linesPerSecond} tokens a second, up to {@code burstLines}). Dropping never ends a
 * run. The first drop of each kind, and the end of a rate-limited stretch, leave one note saying how much went.
 */
final class ConsoleBudget {
    private final ConsoleLimits limits;
    private double tokens;
    private long lastNanos;
    private long keptBytes;
    private boolean capReached;
    private boolean rateLimited;
    private long droppedInStretch;
    private long dropped;
    private String note;

    ConsoleBudget(ConsoleLimits limits, long startNanos) {
        this.limits = limits;
        this.tokens = limits.burstLines();
        this.lastNanos = startNanos;
    }

    /** Whether to keep a line of {@code bytes} bytes read at {@code nanos}; markers are always kept. */
    boolean admit(int bytes, boolean marker, long nanos) {
        long elapsed = Math.max(0, nanos - lastNanos);
        lastNanos = Math.max(lastNanos, nanos);
        tokens = Math.min(limits.burstLines(), tokens + elapsed * 1e-9 * limits.linesPerSecond());
        if (marker) {
            keptBytes += bytes;
            return true;
        }
        if (capReached || keptBytes + bytes > limits.runCapBytes()) { // once reached, for the rest of the run
            if (!capReached) {
                capReached = true;
                note = "console over " + (limits.runCapBytes() >> 20) + " MiB in this run: keeping only marker "
                        + "lines from here";
            }
            dropped++;
            return false;
        }
        if (tokens < 1) {
            if (!rateLimited) {
                rateLimited = true;
                note = "console over " + limits.linesPerSecond() + " lines/s: keeping only marker lines until it "
                        + "slows down";
            }
            droppedInStretch++;
            dropped++;
            return false;
        }
        if (rateLimited) {
            rateLimited = false;
            note = "console slowed down: " + droppedInStretch + " lines were dropped";
            droppedInStretch = 0;
        }
        tokens -= 1;
        keptBytes += bytes;
        return true;
    }

    /** A note to log about what was just decided, once. */
    Optional<String> takeNote() {
        Optional<String> n = Optional.ofNullable(note);
        note = null;
        return n;
    }

    long dropped() {
        return dropped;
    }
}
