package org.ktestci.cistatus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Makes untrusted text safe for a terminal (cli.md §3): control bytes other than TAB and newline become
 * {@code \xNN}, so a subject, test name or log cannot move the cursor or recolour the screen. C1 controls
 * (U+0080–U+009F, UTF-8 {@code C2 80}–{@code C2 9F}) are escaped as their two bytes, since some terminals
 * act on them too (U+009B is a one-character CSI).
 */
final class ControlBytes {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private ControlBytes() {
    }

    static String escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c) || (c >= 0x80 && c <= 0x9f)) {
                return new String(escape(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            }
        }
        return s;
    }

    static byte[] escape(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 16);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b == 0xc2 && i + 1 < bytes.length && (bytes[i + 1] & 0xff) >= 0x80 && (bytes[i + 1] & 0xff) <= 0x9f) {
                hex(out, b);
                hex(out, bytes[++i] & 0xff);
            } else if (isControl(b)) {
                hex(out, b);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static boolean isControl(int c) {
        return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
    }

    private static void hex(ByteArrayOutputStream out, int b) {
        out.write('\\');
        out.write('x');
        out.write(HEX[b >> 4]);
        out.write(HEX[b & 0xf]);
    }
}
