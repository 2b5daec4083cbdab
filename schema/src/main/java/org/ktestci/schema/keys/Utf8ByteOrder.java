package org.ktestci.schema.keys;

import java.util.Comparator;

/**
 * "Byte order" of the spec: compare the UTF-8 bytes as unsigned values, never {@code String.compareTo}. UTF-8
 * byte order equals code point order, so strings are compared by code points without encoding them (this runs
 * in the scheduler's sorts); only a surrogate pair differs from plain {@code char} order.
 */
public final class Utf8ByteOrder {
    public static final Comparator<String> COMPARATOR = Utf8ByteOrder::compare;

    private Utf8ByteOrder() {
    }

    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (!Character.isSurrogate(x) && !Character.isSurrogate(y)) {
                    return x - y;
                }
                return Integer.compare(a.codePointAt(i), b.codePointAt(i));
            }
        }
        return a.length() - b.length();
    }
}
