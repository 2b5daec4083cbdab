package org.ktestci.worker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits before a VM starts until {@code MemAvailable} covers its memory plus 512 MiB (ktest-interface.md §5.2
 * step 6), polling every 5 s for up to 600 s; heartbeats go on meanwhile because this runs on the batch thread.
 */
final class MemoryAdmission {
    private static final long HEADROOM_MIB = 512;

    private MemoryAdmission() {
    }

    static boolean await(long vmMib, Duration poll, Duration limit, BooleanSupplier aborted) throws InterruptedException {
        return await(vmMib, poll, limit, aborted, MemoryAdmission::availableMib);
    }

    /** As above, reading {@code MemAvailable} (MiB) from {@code available} at each poll. */
    static boolean await(long vmMib, Duration poll, Duration limit, BooleanSupplier aborted,
                         Supplier<OptionalLong> available) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            OptionalLong avail = available.get();
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
            return availableMib(Files.readAllLines(Path.of("/proc/meminfo")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code MemAvailable} in MiB from the lines of {@code /proc/meminfo} (given in kB); empty without it. */
    static OptionalLong availableMib(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemAvailable:")) {
                try {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D+", "")) / 1024);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
