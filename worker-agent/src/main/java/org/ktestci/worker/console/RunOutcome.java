package org.ktestci.worker.console;

import org.ktestci.protocol.IterationOutcome;

/**
 * How one runner process ended (ktest-interface.md §4.6): {@code success}, {@code failed}, {@code timeout},
 * {@code child_exit} or {@code aborted}, with its exit code or signal and how long it ran.
 */
public record RunOutcome(IterationOutcome reason, Integer exitCode, Integer signal, long seconds) {
    /** The {@code exit=} field of the full-log trailer. */
    public String exitText() {
        if (signal != null) {
            return "signal " + signal;
        }
        return exitCode == null ? "-" : Integer.toString(exitCode);
    }
}
