package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Map;

/** Why the coordinator refused a worker's message ({@code Reject.reason}, protocol.md §2). */
public enum RejectReason implements WireEnum {
    /** The message is for a lease that is not current; the worker drops what it holds for it. */
    STALE_LEASE("stale_lease"),
    /** A heartbeat whose reply address is not on the lease's host. */
    WRONG_HOST("wrong_host"),
    /** A field out of its rules; the worker only logs it (the sender may not be who it claims). */
    MALFORMED("malformed"),
    /** Any other string: never sent by this release, refused as malformed. */
    UNKNOWN("?");

    private static final Map<String, RejectReason> BY_WIRE = WireEnum.index(values());

    private final String wireName;

    RejectReason(String wireName) {
        this.wireName = wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RejectReason fromWire(String wire) {
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
