package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Map;

/** Why a slot did not take a batch ({@code BatchRefused.reason}, protocol.md §2). */
public enum RefusalReason implements WireEnum {
    /** The slot already ran a lease with this epoch or a later one (protocol.md §4.2). */
    STALE_EPOCH("stale_epoch"),
    /** Another lease runs on the slot. */
    SLOT_BUSY("slot_busy"),
    /** The worker has no slot with that number. */
    BAD_SLOT("bad_slot"),
    /** A field of the batch is out of its rules. */
    BAD_BATCH("bad_batch"),
    /** The worker is shutting down. */
    DRAINING("draining"),
    /** The batch came from a gateway that did not acknowledge this worker's hello. */
    WRONG_GATEWAY("wrong_gateway"),
    /** Any other string: never sent by this release, refused as malformed. */
    UNKNOWN("?");

    private static final Map<String, RefusalReason> BY_WIRE = WireEnum.index(values());

    private final String wireName;

    RefusalReason(String wireName) {
        this.wireName = wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RefusalReason fromWire(String wire) {
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
