package org.ktestci.worker.console;

/** What one console line means to the supervisor (ktest-interface.md §3). */
public sealed interface Marker {
    /** Rule 1: {@code ========= TEST   <name>}. */
    record TestStart(String name) implements Marker {}

    /** Rules 2–5; {@code line} is the line without its printk prefix, stored verbatim as the status. */
    record Verdict(Kind kind, String name, String line) implements Marker {}

    /** Rules 6–7. */
    record RunEnd(boolean success) implements Marker {}

    /** Rule 8. */
    record Watchdog(long seconds) implements Marker {}

    /** Rule 9. */
    record QemuMonitor(String command) implements Marker {}

    /** Rule 10: a kernel crash line. */
    record Crash() implements Marker {}

    /** Anything else, including the summary lines. */
    record Plain() implements Marker {}

    enum Kind { PASSED, FAILED_TIMEOUT, FAILED, NOTRUN }
}
