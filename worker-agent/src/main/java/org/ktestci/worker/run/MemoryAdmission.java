package org.ktestci.worker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Waits before a VM starts until {@code MemAvailable} covers its memory plus 512 MiB (ktest-interface.md §5.2
 * step 6), polling every 5 s for up to 600 s; heartbeats go on meanwhile because this runs on the batch thread.
 */
final class MemoryAdmission {
    private static final long HEADROOM_MIB = 512;

    private MemoryAdmission() {
    }

    static boolean await(long vmMib, Duration poll, Duration limit, BooleanSupplier aborted) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            OptionalLong avail = availableMib();
            if (avail.isEmpty() || avail.getAsLong() >= vmMib + HEADROOM_MIB) {
                return true; // no /proc/meminfo (not Linux): nothing to wait for
            }
            if (System.nanoTime() >= deadline || aborted.getAsBoolean()) {
                return false;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    static OptionalLong availableMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D+", "")) / 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
