package org.ktestci.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * An enum carried in a wire message as a fixed string, exactly the string earlier releases sent, so old and new
 * nodes interoperate (protocol.md §5). Each such enum has an {@code UNKNOWN} constant that stands for any other
 * string a peer sent: decoding never fails on it, and the receiver's field checks refuse it as malformed.
 */
public interface WireEnum {
    /** The string on the wire ({@code @JsonValue}). */
    String wireName();

    /** False only for {@code UNKNOWN}, the value a string no constant has decodes to. */
    boolean known();

    /** Wire name to constant, for the enum's {@code @JsonCreator}. */
    static <E extends Enum<E> & WireEnum> Map<String, E> index(E[] values) {
        Map<String, E> byName = new HashMap<>();
        for (E e : values) {
            if (e.known() && byName.put(e.wireName(), e) != null) {
                throw new IllegalStateException("two constants with the wire name " + e.wireName());
            }
        }
        return Map.copyOf(byName);
    }

    /** The constant {@code wire} names, or {@code unknown} for any other string (and for null). */
    static <E extends Enum<E> & WireEnum> E decode(Map<String, E> index, String wire, E unknown) {
        E e = wire == null ? null : index.get(wire);
        return e == null ? unknown : e;
    }
}
