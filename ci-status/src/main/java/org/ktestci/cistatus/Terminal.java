package org.ktestci.cistatus;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Output policy (cli.md §1, §3): colours only when wanted, applied after padding so columns stay aligned; on a
 * tty, control bytes of untrusted text (other than TAB and newline) are shown as {@code \xNN}.
 */
final class Terminal {
    static final String GREEN = "\u001b[32m";
    static final String RED = "\u001b[31m";
    static final String YELLOW = "\u001b[33m";
    static final String DIM = "\u001b[2m";
    static final String RESET = "\u001b[0m";

    private final PrintStream out;
    private final boolean color;
    private final boolean tty;

    Terminal(PrintStream out, boolean color, boolean tty) {
        this.out = out;
        this.color = color;
        this.tty = tty;
    }

    static boolean colorWanted(String mode, boolean tty, java.util.Map<String, String> env) {
        return switch (mode) {
            case "always" -> true;
            case "never" -> false;
            default -> tty && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
        };
    }

    String paint(String padded, String code) {
        return color && code != null ? code + padded + RESET : padded;
    }

    /** Untrusted text for display. */
    String safe(String s) {
        if (!tty) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    void println(String line) {
        out.println(line);
    }

    /** Raw bytes (decompressed logs): unchanged when not a tty. */
    void writeRaw(byte[] bytes) {
        if (tty) {
            out.print(safe(new String(bytes, StandardCharsets.UTF_8)));
        } else {
            out.write(bytes, 0, bytes.length);
        }
        out.flush();
    }
}
