package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessTreeTest {
    @TempDir
    Path dir;

    private static Map<String, String> env() {
        return Map.of("PATH", System.getenv("PATH"));
    }

    @Test
    void runsWithExactlyTheGivenEnvironmentAndMergedOutput() throws Exception {
        ProcessTree t = ProcessTree.start(List.of("sh", "-c", "echo \"$ONLY\"; echo err >&2; echo \"${HOME:-none}\""),
                Map.of("PATH", System.getenv("PATH"), "ONLY", "this"), dir, Duration.ofSeconds(1));
        String out = new String(t.console().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, t.waitForExit(Duration.ofSeconds(10)));
        assertEquals("this\nerr\nnone\n", out);
        assertFalse(t.stopping());
    }

    @Test
    void stopKillsTheWholeTreeEvenWhatIgnoresTerm() throws Exception {
        Path pids = dir.resolve("pids");
        ProcessTree t = ProcessTree.start(List.of("sh", "-c", "trap '' TERM; sleep 600 & echo \"$$ $!\" > " + pids
                + "; wait"), env(), dir, Duration.ofMillis(300));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(pids) && Files.readString(pids).trim().contains(" ")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        t.stop();
        assertTrue(t.stopping());
        t.stop(); // a second stop changes nothing
        t.waitForExit(Duration.ofSeconds(10));
        t.awaitStopped();
        for (String pid : Files.readString(pids).trim().split(" ")) {
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pid));
            assertTrue(p.isEmpty() || !ProcessLiveness.isRunning(p.get()), "process " + pid + " still runs");
        }
    }

    @Test
    void aChildStillRunningAfterThePatienceIsStopped() throws Exception {
        ProcessTree t = ProcessTree.start(List.of("sleep", "600"), env(), dir, Duration.ofMillis(300));
        long start = System.nanoTime();
        int exit = t.waitForExit(Duration.ofMillis(200));
        assertTrue(t.stopping());
        assertEquals(128 + 15, exit, "ended by SIGTERM");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
    }
}
