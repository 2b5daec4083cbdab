package org.ktestci.worker.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.RunBatch;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ktest} runner against stand-ins for ktest's CLI ({@code ktest run}, {@code build-test-kernel run})
 * that behave like its VM: markers arrive through the console with a printk prefix, the in-VM runner prints
 * {@code TEST SUCCESS}/{@code TEST FAILED}, and one VM dies in the middle of the batch.
 */
class KtestRunnerTest {
    @TempDir
    Path dir;

    String sha;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    /** Records its argv, then plays a VM: runs the test's run-tests with printk-prefixed console lines. */
    static final String VM = """
            #!/usr/bin/env bash
            echo "$0 $*" >> "$ARGV_LOG"
            [ "$KTEST_SUPERVISOR" = 1 ] || { echo "not supervised"; exit 9; }
            while [ $# -gt 0 ]; do
                case $1 in
                    run) shift ;;
                    -k|-T) shift 2 ;;
                    -P) shift ;;
                    *) break ;;
                esac
            done
            test=$1; shift
            echo "[    0.000000] Linux version 6.1.0-test"
            failed=0
            for t in "$@"; do
                if [ "$t" = crash ] && [ ! -e "$ktest_deps_dir/ktest-out/crashed" ]; then
                    touch "$ktest_deps_dir/ktest-out/crashed"
                    echo "[    1.500000] ========= TEST   $t"
                    echo "[    1.600000] Kernel panic - not syncing: Fatal exception"
                    exit 1
                fi
                if [ "$t" = hang ]; then
                    # A VM that hangs and ignores SIGTERM (only SIGKILL ends it), as a wedged qemu can.
                    echo $$ > "$ktest_deps_dir/ktest-out/hung.pid"
                    trap '' TERM
                    echo "[    1.500000] ========= TEST   $t"
                    echo "[    1.500100] WATCHDOG 1"
                    while :; do sleep 1; done
                fi
                "$test" run-tests "$t" | sed -u 's/^/[    1.000000] /' || failed=$((failed+1))
            done
            [ $failed = 0 ] && echo "TEST SUCCESS" || echo "TEST FAILED"
            """;

    @BeforeEach
    void setUp() throws Exception {
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/Makefile"), "all:\n");
            git.add().addFilepattern("Makefile").call();
            sha = git.commit().setMessage("c1").setSign(false).call().getName();
        }
        exec(dir.resolve("ktest/ktest"), VM);
        exec(dir.resolve("ktest/build-test-kernel"), VM);
        exec(dir.resolve("ktest/tests/fs/t.ktest"), """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "a crash b hang" ;;
                    deps) echo "ktest_mem=1024" ;;
                    run-tests) shift; for t in "$@"; do echo "========= TEST   $t"; echo "========= PASSED $t in 0s"; done ;;
                esac
                """);
    }

    private static void exec(Path f, String body) throws IOException {
        Files.createDirectories(f.getParent());
        Files.writeString(f, body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private BatchFinished run(String kernel, List<String> subtests) {
        List<RunBatch.BatchSubtest> subs = subtests.stream()
                .map(s -> new RunBatch.BatchSubtest(s, "fs.t" + (kernel.isEmpty() ? "" : "@" + kernel.replace('/', '_'))
                        + "." + s, 30)).toList();
        String basename = "fs.t" + (kernel.isEmpty() ? "" : "@" + kernel.replace('/', '_'));
        RunBatch batch = new RunBatch("lease-k", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "fs/t.ktest", kernel,
                Map.of(), "x86_64", subs, basename, 30, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), dir.resolve("ktest"), "ktest", 1 << 20, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1));
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
                events.add(key + " " + line + " #" + it);
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
            }

            public void note(String line) {
            }
        };
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ARGV_LOG", dir.resolve("argv.log").toString());
        env.put("ktest_stale", "must not leak into the runner");
        return new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"), new long[] {10}), env)
                .execute();
    }

    @Test
    void drivesKtestRunWithAStoreKernelAndResumesAfterAPanic() throws Exception {
        BatchFinished r = run("upstream/stable", List.of("a", "crash", "b"));
        assertEquals(BatchOutcome.COMPLETED, r.outcome());
        assertEquals(List.of(
                "fs.t@upstream_stable.a ========= PASSED a in 0s #1",
                "fs.t@upstream_stable.crash TEST FAILED #1",
                "fs.t@upstream_stable.b ========= PASSED b in 0s #2"), events,
                "markers read through the printk prefix; the panicked subtest fails; b runs in a fresh VM");
        List<String> argv = Files.readAllLines(dir.resolve("argv.log"));
        Path slot = dir.resolve("work/slot-0");
        assertEquals(dir.resolve("ktest/ktest") + " run -k upstream/stable -T " + slot.resolve("ktest-tmp") + " "
                + dir.resolve("ktest/tests/fs/t.ktest") + " a crash b", argv.get(0));
        assertEquals(dir.resolve("ktest/ktest") + " run -k upstream/stable -T " + slot.resolve("ktest-tmp") + " "
                + dir.resolve("ktest/tests/fs/t.ktest") + " b", argv.get(1));
        assertTrue(!Files.exists(slot.resolve("ktest-tmp")), "the VM's tmp dir is removed after every iteration");
    }

    @Test
    void aHungVmIsKilledAtItsWatchdogAndTheRestRunsInAFreshVm() throws Exception {
        BatchFinished r = run("upstream/stable", List.of("a", "hang", "b"));
        assertEquals(BatchOutcome.COMPLETED, r.outcome());
        assertEquals(3, events.size(), events.toString());
        assertEquals("fs.t@upstream_stable.a ========= PASSED a in 0s #1", events.get(0));
        assertTrue(events.get(1).matches("fs\\.t@upstream_stable\\.hang ========= FAILED TIMEOUT hang in [12]s #1"),
                events.get(1));
        assertEquals("fs.t@upstream_stable.b ========= PASSED b in 0s #2", events.get(2), "b runs in a fresh VM");
        long pid = Long.parseLong(Files.readString(dir.resolve("work/slot-0/ktest-out/hung.pid")).trim());
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true),
                "the VM that ignored SIGTERM was killed with SIGKILL");
    }

    @Test
    void buildsTheKernelFromTheCheckoutWhenTheJobHasNone() throws Exception {
        BatchFinished r = run("", List.of("a"));
        assertEquals(BatchOutcome.COMPLETED, r.outcome());
        Path slot = dir.resolve("work/slot-0");
        assertEquals(dir.resolve("ktest/build-test-kernel") + " run -k " + slot.resolve("linux") + " -T "
                + slot.resolve("ktest-tmp") + " -P " + dir.resolve("ktest/tests/fs/t.ktest") + " a",
                Files.readAllLines(dir.resolve("argv.log")).get(0));
        assertEquals(List.of("fs.t.a ========= PASSED a in 0s #1"), events);
    }
}
