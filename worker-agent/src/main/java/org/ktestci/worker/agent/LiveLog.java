package org.ktestci.worker.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Console lines of a running lease waiting to go to live viewers (protocol.md §4.3: best effort, at most 64 KiB
 * per chunk). Lines arrive as the run posts them and leave on the slot actor's tick, both on the actor's thread;
 * when viewers' lines pile up faster than they are sent, the oldest are dropped and a note says how many.
 */
final class LiveLog {
    static final int MAX_BYTES = 64 * 1024;

    private final Deque<String> lines = new ArrayDeque<>();
    private int bytes;
    private long skipped;

    void add(String line) {
        int size = line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (size > MAX_BYTES / 2) {
            line = line.substring(0, Math.min(line.length(), MAX_BYTES / 8)) + " …";
            size = line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        lines.addLast(line);
        bytes += size;
        while (bytes > MAX_BYTES - 128 && lines.size() > 1) {
            bytes -= lines.removeFirst().getBytes(StandardCharsets.UTF_8).length + 1;
            skipped++;
        }
    }

    /** The lines to send now (empty when there are none), as one chunk's text. */
    List<String> drain() {
        if (lines.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(lines.size() + 1);
        if (skipped > 0) {
            out.add("# ktest-ci: " + skipped + " console lines not shown live (the full log has them)");
            skipped = 0;
        }
        out.addAll(lines);
        lines.clear();
        bytes = 0;
        return out;
    }
}
