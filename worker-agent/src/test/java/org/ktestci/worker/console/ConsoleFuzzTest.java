package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.ktestci.protocol.IterationOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random bytes on the console (fixed seed): random binary, lines of megabytes without a newline, NULs, CRs,
 * printk prefixes, marker fragments, QEMU_MONITOR lines and a flood far over the limits. The supervisor neither
 * crashes nor grows: its logs stay under their caps and the live stream under the run's budget, while the batch's
 * own subtest still opens and gets a verdict (which one, the noise decides: a verdict line goes to the open
 * subtest, ktest-interface.md §4.3).
 */
class ConsoleFuzzTest {
    static final long SEED = 20261207L;
    static final String[] FRAGMENTS = {"========= TEST   ", "========= PASSED ", "========= FAILED ", "WATCHDOG ",
        "QEMU_MONITOR ", "[    1.234567] ", "Kernel panic", "TEST SUCCES", "\r", "\u0000", "\u001b[2J"};

    @TempDir
    Path dir;

    @Test
    void randomConsoleBytesNeitherCrashNorGrowTheWorker() throws Exception {
        Random rnd = new Random(SEED);
        Path noise = dir.resolve("noise");
        long total = 0;
        int lines = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(noise))) {
            for (int chunk = 0; chunk < 4000; chunk++) {
                if (chunk == 1000) {
                    out.write("\n========= TEST   real\n".getBytes(StandardCharsets.US_ASCII));
                }
                if (chunk == 3000) {
                    out.write("\n[  99.000001] ========= PASSED real in 3s\n".getBytes(StandardCharsets.US_ASCII));
                }
                byte[] b;
                switch (rnd.nextInt(5)) {
                    case 0 -> { // binary garbage
                        b = new byte[rnd.nextInt(4096)];
                        rnd.nextBytes(b);
                    }
                    case 1 -> { // one very long line with no newline at all
                        b = new byte[rnd.nextInt(1 << 20)];
                        Arrays.fill(b, (byte) ('a' + rnd.nextInt(26)));
                    }
                    case 2 -> { // a burst of short lines
                        StringBuilder s = new StringBuilder();
                        for (int i = 0; i < 500; i++) {
                            s.append("line ").append(i).append('\n');
                        }
                        b = s.toString().getBytes(StandardCharsets.US_ASCII);
                        lines += 500;
                    }
                    default -> { // marker-like fragments, mangled
                        StringBuilder s = new StringBuilder();
                        for (int i = 0; i < 20; i++) {
                            s.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
                            if (rnd.nextBoolean()) {
                                s.append(Integer.toHexString(rnd.nextInt())).append('\n');
                            }
                        }
                        b = s.toString().getBytes(StandardCharsets.ISO_8859_1);
                    }
                }
                out.write(b);
                total += b.length;
            }
        }
        Path results = dir.resolve("results");
        long logCap = 4L << 20;
        ConsoleRecorder live = new ConsoleRecorder();
        ConsoleSupervisor s = new ConsoleSupervisor(List.of("cat", noise.toString()), Map.of("PATH",
                System.getenv("PATH")), dir, List.of(new ConsoleSupervisor.Subtest("real", "t.real")), "t", results, 1,
                new SupervisorSettings(Duration.ofSeconds(60), logCap, Duration.ofSeconds(5), Duration.ofSeconds(2),
                        Duration.ofSeconds(1), true, Optional.empty(), MonitorPolicy.none(),
                        new ConsoleLimits(1L << 20, 2000)), live);
        long t0 = System.nanoTime();
        RunOutcome outcome = s.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long console = Files.size(results.resolve("console.1"));
        System.out.printf("console fuzz: %d MiB in, %d short lines among them, %.1f s, console log %d KiB, live %d KiB,"
                + " %d lines dropped%n", total >> 20, lines, seconds, console >> 10, live.bytes() >> 10, s.droppedLines());
        assertTrue(console <= logCap + 128, "the console log stays under log_cap: " + console);
        assertTrue(live.bytes() < (3L << 20) / 2, "the live stream stays near the 1 MiB run cap: " + live.bytes());
        assertTrue(s.droppedLines() > 0, "the flood was cut");
        assertTrue(live.events.contains("started t.real"), live.events.toString());
        assertTrue(live.events.stream().anyMatch(l -> l.startsWith("finished t.real ")),
                "the batch's subtest still gets a verdict: " + live.events);
        assertEquals(IterationOutcome.SUCCESS, outcome.reason(), "the injected run end after cat exits 0");
    }
}
