package org.ktestci.worker.console;

/**
 * Bounds on what a run's console may cost the worker (ktest-interface.md §4.2; config.md §6.3
 * {@code console_cap_mib}, {@code console_lines_per_sec}). Past either bound, plain lines are dropped — from the
 * logs and the live stream — while marker lines are still processed and kept, so a flooding guest cannot hide a
 * verdict or end a run, and an honest kernel's burst (a lockdep or KASAN splat, a few hundred lines) fits in the
 * burst allowance.
 *
 * @param runCapBytes   console bytes kept per run before only markers are kept
 * @param linesPerSecond sustained plain lines per second kept; bursts up to {@link #burstLines()} pass
 */
public record ConsoleLimits(long runCapBytes, int linesPerSecond) {
    public static final ConsoleLimits DEFAULT = new ConsoleLimits(128L << 20, 5000);

    /** A burst of this many lines is always kept, whatever the rate before it. */
    public long burstLines() {
        return 10L * linesPerSecond;
    }
}
