package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Map;

/** How a batch ended on the worker ({@code BatchFinished.outcome}, protocol.md §2). */
public enum BatchOutcome implements WireEnum {
    COMPLETED("COMPLETED"),
    /** The batch could not run to its end; {@code BatchFinished.reason} says why (scheduling.md §8). */
    INFRA_FAILURE("INFRA_FAILURE"),
    /** The test declares another arch than the slot's; {@code BatchFinished.declaredArch} names it. */
    ARCH_MISMATCH("ARCH_MISMATCH"),
    /** Any other string: never sent by this release, refused as malformed. */
    UNKNOWN("?");

    private static final Map<String, BatchOutcome> BY_WIRE = WireEnum.index(values());

    private final String wireName;

    BatchOutcome(String wireName) {
        this.wireName = wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static BatchOutcome fromWire(String wire) {
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
