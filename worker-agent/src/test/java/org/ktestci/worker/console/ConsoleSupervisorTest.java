package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ktestci.protocol.IterationOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor against real bash processes that print ktest's console markers. */
class ConsoleSupervisorTest {
    @TempDir
    Path dir;

    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private Path script(String body) throws IOException {
        Path f = dir.resolve("t.ktest");
        Files.writeString(f, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private ConsoleSupervisor supervisor(Path script, Duration timeout, List<String> names) throws IOException {
        Path results = dir.resolve("results");
        for (String n : names) {
            Files.createDirectories(results.resolve("t." + n));
            Files.writeString(results.resolve("t." + n).resolve("status"), "IN PROGRESS\n");
        }
        SupervisorSettings s = new SupervisorSettings(timeout, 1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), true, Optional.empty());
        return new ConsoleSupervisor(List.of(script.toString()), Map.of("PATH", System.getenv("PATH")), dir,
                names.stream().map(n -> new ConsoleSupervisor.Subtest(n, "t." + n)).toList(), "t", results, 1, s,
                new SupervisorListener() {
                    public void started(String key, long at) {
                        events.add("started " + key);
                    }

                    public void finished(String key, String line, int secs, long s0, long s1) {
                        events.add("finished " + key + " " + line);
                    }
                });
    }

    private String status(String name) throws IOException {
        return Files.readString(dir.resolve("results/t." + name + "/status"));
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve("results/t." + name + "/log"));
    }

    @Test
    void recordsPassFailNotrunAndAMissingEndMarkerAsTestFailed() throws IOException {
        Path s = script("""
                echo "========= TEST   a"; printf 'x\\ty\\r\\n'; echo "========= PASSED a in 0s"
                echo "[    2.115858] ========= TEST   b"; echo "[    2.2] ========= FAILED b in 0s"
                echo "========= TEST   c"; echo "========= NOTRUN c in 0s: needs ec"
                echo "========= TEST   d"; echo "no verdict for d"
                exit 1
                """);
        ConsoleSupervisor sup = supervisor(s, Duration.ofSeconds(30), List.of("a", "b", "c", "d"));
        RunOutcome outcome = sup.run();
        assertEquals("========= PASSED a in 0s\n", status("a"));
        assertEquals("========= FAILED b in 0s\n", status("b"), "printk prefix removed from the stored status");
        assertEquals("========= NOTRUN c in 0s: needs ec\n", status("c"));
        assertEquals("TEST FAILED\n", status("d"), "a subtest closed at end of stream keeps TEST FAILED");
        assertEquals("0", Files.readString(dir.resolve("results/t.a/duration")));
        assertTrue(log("a").matches("(?s)\\d{5} ========= TEST   a\n\\d{5} x\ty\n\\d{5} ========= PASSED a in 0s\n"),
                log("a"));
        assertFalse(log("a").contains("TEST   b"), "the next TEST line belongs to the next subtest only");
        assertEquals(Set.of("t.a", "t.b", "t.c", "t.d"), sup.reached());
        assertEquals(List.of("started t.a", "finished t.a ========= PASSED a in 0s", "started t.b",
                "finished t.b ========= FAILED b in 0s", "started t.c", "finished t.c ========= NOTRUN c in 0s: needs ec",
                "started t.d", "finished t.d TEST FAILED"), events);
        assertEquals(IterationOutcome.FAILED, outcome.reason(),
                "the host runner injects TEST FAILED for a non-zero exit");
        assertEquals(1, outcome.exitCode());
        String console = Files.readString(dir.resolve("results/console.1"));
        assertTrue(console.contains("[    2.115858] ========= TEST   b"), "logs keep the original bytes");
        assertTrue(console.endsWith(" TEST FAILED\n"), console);
    }

    @Test
    void injectsFailedTimeoutForAHungSubtestAndStopsTheRun() throws IOException {
        Path s = script("""
                echo "========= TEST   a"; sleep 600; echo "========= PASSED a in 600s"
                echo "========= TEST   b"; echo "========= PASSED b in 0s"
                """);
        ConsoleSupervisor sup = supervisor(s, Duration.ofSeconds(1), List.of("a", "b"));
        RunOutcome outcome = sup.run();
        assertTrue(status("a").matches("========= FAILED TIMEOUT a in [12]s\n"), status("a"));
        assertEquals("IN PROGRESS\n", status("b"), "fail-fast: b is left for a fresh run");
        assertEquals(Set.of("t.a"), sup.reached());
        assertEquals(IterationOutcome.TIMEOUT, outcome.reason());
    }

    @Test
    void subtestsAShellRunsAfterItsTimeoutAreLoggedButLeftForAFreshRun() throws IOException {
        // The shell survives the TERM (as bash does when the signal lands while it reaps its child) and goes
        // on with b: b's markers must not count, so b is re-run in a fresh run whatever the signal timing.
        Path s = script("""
                trap 'echo "caught TERM"' TERM
                echo "========= TEST   a"; sleep 600 & wait
                echo "========= TEST   b"; echo "========= PASSED b in 0s"
                """);
        ConsoleSupervisor sup = supervisor(s, Duration.ofSeconds(1), List.of("a", "b"));
        RunOutcome outcome = sup.run();
        assertEquals(IterationOutcome.TIMEOUT, outcome.reason());
        assertTrue(status("a").startsWith("========= FAILED TIMEOUT a in "), status("a"));
        assertEquals("IN PROGRESS\n", status("b"));
        assertEquals(Set.of("t.a"), sup.reached());
        assertFalse(events.contains("started t.b"), events.toString());
        String console = Files.readString(dir.resolve("results/console.1"));
        assertTrue(console.contains("========= PASSED b in 0s"), "late lines are still logged: " + console);
    }

    @Test
    void watchdogLowersTheTimeoutOfTheRunningSubtest() throws IOException {
        Path s = script("""
                echo "========= TEST   a"; echo "WATCHDOG 1"; sleep 600
                """);
        long start = System.nanoTime();
        RunOutcome outcome = supervisor(s, Duration.ofSeconds(120), List.of("a")).run();
        assertEquals(IterationOutcome.TIMEOUT, outcome.reason());
        assertTrue(status("a").startsWith("========= FAILED TIMEOUT a in "), status("a"));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "WATCHDOG 1 overrides the 120 s timeout");
    }

    @Test
    void aCrashLineLeavesOnlyAShortPostMortemWindow() throws IOException {
        Path s = script("""
                echo "========= TEST   a"; echo "[   5.1] Kernel panic - not syncing: sysrq triggered crash"; sleep 600
                """);
        long start = System.nanoTime();
        RunOutcome outcome = supervisor(s, Duration.ofSeconds(120), List.of("a")).run();
        assertEquals(IterationOutcome.TIMEOUT, outcome.reason());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60));
        assertTrue(status("a").startsWith("========= FAILED TIMEOUT a in "));
    }

    @Test
    void escalatesFromTermToKillForAChildThatIgnoresTerm() throws Exception {
        Path pidFile = dir.resolve("pids");
        Path s = script("""
                trap '' TERM
                sleep 600 &
                echo "$$ $!" > %s
                echo "========= TEST   a"
                wait
                """.formatted(pidFile));
        RunOutcome outcome = supervisor(s, Duration.ofSeconds(1), List.of("a")).run();
        assertEquals(IterationOutcome.TIMEOUT, outcome.reason());
        String[] pids = Files.readString(pidFile).trim().split(" ");
        for (String pid : pids) {
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pid));
            assertTrue(p.isEmpty() || !ProcessLiveness.isRunning(p.get()), "process " + pid + " was killed");
        }
    }

    @Test
    void verdictWithNothingOpenGoesToTheNamedSubtestAndUnexpectedSubtestsAreNoted() throws IOException {
        Path s = script("""
                echo "========= PASSED b in 0s"
                echo "========= TEST   zz"; echo "========= PASSED zz in 0s"
                echo "WATCHDOG 0"
                """);
        ConsoleSupervisor sup = supervisor(s, Duration.ofSeconds(30), List.of("b"));
        assertEquals(IterationOutcome.SUCCESS, sup.run().reason());
        assertEquals("========= PASSED b in 0s\n", status("b"));
        assertEquals("0", Files.readString(dir.resolve("results/t.b/duration")));
        String console = Files.readString(dir.resolve("results/console.1"));
        assertTrue(console.contains("# supervisor: unexpected subtest zz"), console);
        assertTrue(console.contains("# supervisor: WATCHDOG 0 ignored"), console);
    }

    @Test
    void abortStopsTheRunFromAnotherThread() throws Exception {
        Path s = script("""
                echo "========= TEST   a"; sleep 600
                """);
        ConsoleSupervisor sup = supervisor(s, Duration.ofSeconds(300), List.of("a"));
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return sup.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!events.contains("started t.a") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        sup.abort();
        assertEquals(IterationOutcome.ABORTED, run.get(30, TimeUnit.SECONDS).reason());
        assertEquals("TEST FAILED\n", status("a"));
    }
}
