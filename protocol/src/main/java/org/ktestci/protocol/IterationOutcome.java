package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Map;

/**
 * How one runner process ended ({@code BatchFinished.Iteration.outcome}, ktest-interface.md §4.6).
 */
public enum IterationOutcome implements WireEnum {
    /** ktest printed its run-end marker with success. */
    SUCCESS("success"),
    /** ktest printed its run-end marker with failure. */
    FAILED("failed"),
    /** A subtest ran past its timeout or watchdog and the runner was stopped. */
    TIMEOUT("timeout"),
    /** The runner exited without a run-end marker. */
    CHILD_EXIT("child_exit"),
    /** The worker stopped the run (lease revoked, agent stopping). */
    ABORTED("aborted"),
    /** Any other string: never sent by this release, refused as malformed. */
    UNKNOWN("?");

    private static final Map<String, IterationOutcome> BY_WIRE = WireEnum.index(values());

    private final String wireName;

    IterationOutcome(String wireName) {
        this.wireName = wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static IterationOutcome fromWire(String wire) {
        return WireEnum.decode(BY_WIRE, wire, UNKNOWN);
    }

    @Override
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The wire string, so log lines read as they did when these fields were strings. */
    @Override
    public String toString() {
        return wireName;
    }

    @Override
    public boolean known() {
        return this != UNKNOWN;
    }
}
