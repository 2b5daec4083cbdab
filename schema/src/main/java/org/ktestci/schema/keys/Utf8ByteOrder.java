package org.ktestci.schema.keys;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** "Byte order" of the spec: compare the UTF-8 bytes as unsigned values, never {@code String.compareTo}. */
public final class Utf8ByteOrder {
    public static final Comparator<String> COMPARATOR = Utf8ByteOrder::compare;

    private Utf8ByteOrder() {
    }

    public static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
