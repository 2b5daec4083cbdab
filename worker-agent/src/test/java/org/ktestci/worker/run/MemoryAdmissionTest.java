package org.ktestci.worker.run;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A VM starts only once MemAvailable covers its memory plus 512 MiB (ktest-interface.md §5.2 step 6). */
class MemoryAdmissionTest {
    private static final Duration POLL = Duration.ofMillis(10);

    /** MemAvailable readings, one per poll; the last one repeats. */
    private static Supplier<OptionalLong> readings(AtomicInteger polls, long... mib) {
        Iterator<Long> it = Arrays.stream(mib).boxed().iterator();
        long[] last = {mib[mib.length - 1]};
        return () -> {
            polls.incrementAndGet();
            return OptionalLong.of(it.hasNext() ? it.next() : last[0]);
        };
    }

    @Test
    void readsMemAvailableInMibFromMeminfo() {
        assertEquals(OptionalLong.of(15_936), MemoryAdmission.availableMib(List.of(
                "MemTotal:       24576000 kB", "MemFree:         1024000 kB", "MemAvailable:   16318724 kB")));
        assertEquals(OptionalLong.empty(), MemoryAdmission.availableMib(List.of("MemTotal:       24576000 kB")));
        assertTrue(MemoryAdmission.availableMib().orElse(1) > 0, "this machine's /proc/meminfo");
    }

    @Test
    void admitsAtOnceWhenMemoryAndHeadroomAreFree() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        assertTrue(MemoryAdmission.await(1024, POLL, Duration.ofSeconds(5), () -> false, readings(polls, 1536)));
        assertEquals(1, polls.get());
    }

    @Test
    void waitsUntilMemoryIsFreed() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        assertTrue(MemoryAdmission.await(1024, POLL, Duration.ofSeconds(5), () -> false,
                readings(polls, 1000, 1535, 1536)));
        assertEquals(3, polls.get(), "1535 MiB is one short of the VM's 1024 plus 512 headroom");
    }

    @Test
    void givesUpAtTheLimit() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();
        assertFalse(MemoryAdmission.await(1024, POLL, Duration.ofMillis(200), () -> false, readings(polls, 100)));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
        assertTrue(polls.get() > 1);
    }

    @Test
    void stopsWaitingWhenTheBatchIsAborted() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        assertFalse(MemoryAdmission.await(1024, POLL, Duration.ofSeconds(600), () -> polls.get() >= 3,
                readings(polls, 100)));
        assertEquals(3, polls.get());
    }

    @Test
    void withoutMeminfoThereIsNothingToWaitFor() throws Exception {
        assertTrue(MemoryAdmission.await(1 << 20, POLL, Duration.ofSeconds(5), () -> false, OptionalLong::empty));
    }
}
