package org.ktestci.cistatus;

import java.io.PrintStream;

/**
 * Where text output goes and how (cli.md §3): colour only when wanted, applied to already padded columns so
 * alignment is unaffected; untrusted text escaped only when stdout is a tty (elsewhere bytes pass unchanged).
 */
final class Terminal {
    /** The SGR codes of cli.md §3. */
    enum Colour {
        GREEN("\u001b[32m"), RED("\u001b[31m"), YELLOW("\u001b[33m"), DIM("\u001b[2m");

        static final String RESET = "\u001b[0m";
        final String code;

        Colour(String code) {
            this.code = code;
        }
    }

    private final PrintStream out;
    private final boolean colour;
    private final boolean tty;

    Terminal(PrintStream out, boolean colour, boolean tty) {
        this.out = out;
        this.colour = colour;
        this.tty = tty;
    }

    /** {@code padded} wrapped in {@code c} and a reset when colour is on; {@code c == null} means plain. */
    String paint(String padded, Colour c) {
        return colour && c != null ? c.code + padded + Colour.RESET : padded;
    }

    /** Untrusted text (subjects, test names) as it may be shown. */
    String untrusted(String s) {
        return tty ? ControlBytes.escape(s) : s;
    }

    void line(String s) {
        out.print(s);
        out.print('\n');
    }

    /** Untrusted raw bytes (a decompressed log). */
    void bytes(byte[] data) {
        byte[] shown = tty ? ControlBytes.escape(data) : data;
        out.write(shown, 0, shown.length);
        out.flush();
    }
}
