package org.ktestci.worker.console;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last few non-blank lines a runner printed, and the last line of our guest code's own diagnosis: why a run
 * reached no subtest, in one line for the worker's log. The guest's bytes end up there, so no control characters.
 */
final class ConsoleTail {
    /** What our guest code prints before giving up (qemu.GuestScripts.INIT_PREFIX). */
    private static final String GUEST_INIT_PREFIX = "ktest-ci-init: ";
    private static final int KEPT = 3;
    private static final int MAX_CHARS = 200;

    private final Deque<String> lastLines = new ArrayDeque<>();
    private String lastGuestInitLine;
    private long lines;

    void add(byte[] raw) {
        lines++;
        String text = ConsoleMarkers.stripPrintk(new String(raw, StandardCharsets.UTF_8)).strip()
                .replaceAll("\\p{Cntrl}", "?");
        if (text.isEmpty()) {
            return;
        }
        text = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "…" : text;
        int at = text.indexOf(GUEST_INIT_PREFIX);
        if (at >= 0) {
            lastGuestInitLine = text.substring(at);
        }
        if (lastLines.size() == KEPT) {
            lastLines.removeFirst();
        }
        lastLines.addLast(text);
    }

    /** Lines the child printed. */
    long lines() {
        return lines;
    }

    /**
     * Our guest code's own {@code ktest-ci-init:} complaint when it printed one (a missing driver, an unmountable
     * root image), else the console's last lines.
     */
    String diagnosis() {
        if (lastGuestInitLine != null) {
            return lastGuestInitLine;
        }
        if (lines == 0) {
            return "the runner printed nothing";
        }
        return "no test marker; the console ended with: " + String.join(" | ", lastLines);
    }
}
