package org.ktestci.dashboard;

/**
 * Text for XML 1.0 documents (the Atom feed). Escaping {@code & < > " '} is not enough: XML 1.0 forbids most
 * C0 controls, U+FFFE, U+FFFF and lone surrogates even as character references, and one of them in a commit subject
 * would make the whole feed unparsable. They become U+FFFD.
 */
final class Xml {
    private Xml() {
    }

    /** {@code s} escaped for text and attribute values, with characters XML cannot carry replaced. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
                continue;
            }
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\t', '\n' -> b.append(c);
                case '\r' -> b.append("&#13;");
                default -> b.append(allowed(c) ? c : '\uFFFD');
            }
        }
        return b.toString();
    }

    /** XML 1.0's Char production for one UTF-16 unit that is not part of a surrogate pair. */
    private static boolean allowed(char c) {
        return (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
    }
}
