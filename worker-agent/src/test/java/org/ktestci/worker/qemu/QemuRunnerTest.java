package org.ktestci.worker.qemu;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.run.BatchExecution;
import org.ktestci.worker.run.SlotSettings;
import org.ktestci.worker.vm.VmTestEnvironment;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real VM: Debian's kernel booted under qemu (TCG) with the initramfs the worker builds, subtests that pass,
 * fail, skip, panic the kernel and hang past a WATCHDOG. CI provides the kernel (KTEST_CI_TEST_KERNEL, a
 * vmlinuz extracted from Debian's linux-image package by .ci/run); elsewhere the test is skipped.
 */
class QemuRunnerTest {
    @TempDir
    Path dir;

    @Test
    void runsSubtestsInARealVmAndResumesAfterAKernelPanic() throws Exception {
        Path kernel = VmTestEnvironment.kernel();
        VmTestEnvironment.qemu();
        String sha;
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/README"), "x\n");
            git.add().addFilepattern("README").call();
            sha = git.commit().setMessage("c").setSign(false).call().getName();
        }
        Path test = dir.resolve("ktest/tests/vm.ktest");
        Files.createDirectories(test.getParent());
        Files.writeString(test, VmTestEnvironment.EVERY_OUTCOME_TEST);
        Files.setPosixFilePermissions(test, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> names = List.of("pass", "fail", "skip", "panic", "after", "hang");
        List<RunBatch.BatchSubtest> subs = names.stream().map(n -> new RunBatch.BatchSubtest(n, "vm." + n, 30)).toList();
        RunBatch batch = new RunBatch("lease-q", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "vm.ktest", "", Map.of(),
                "x86_64", subs, "vm", 60, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), dir.resolve("ktest"), "qemu", 1 << 20, 0,
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5));
        Map<String, String> verdicts = Collections.synchronizedMap(new LinkedHashMap<>());
        List<String> firstMarkerMillis = Collections.synchronizedList(new ArrayList<>());
        Map<String, byte[]> fullLogs = Collections.synchronizedMap(new LinkedHashMap<>());
        List<String> runInfos = Collections.synchronizedList(new ArrayList<>());
        long start = System.currentTimeMillis();
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
                firstMarkerMillis.add(key + " " + (at - start));
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
                verdicts.put(key, status + " #" + it + " " + line);
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
                if (kind.equals("full_log")) {
                    fullLogs.put(key + " " + it, brotli);
                }
            }

            public void runInfo(int it, String info) {
                runInfos.add(it + " " + info);
            }

            public void note(String line) {
            }
        };
        QemuSettings q = new QemuSettings(dir.resolve("store"), "qemu-system-x86_64", Path.of("/bin/busybox"),
                Path.of("/bin/bash"), Optional.of(kernel), "x86_64", Optional.empty(),
                dir.resolve("state/root.x86_64"), dir.resolve("work/module-index"));
        BatchFinished r = new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"),
                new long[] {10}), Map.of("PATH", System.getenv("PATH"), "KTEST_CI_QEMU_ACCEL", "tcg"), Optional.of(q))
                .execute();
        System.out.println("subtest starts (ms after batch start): " + firstMarkerMillis);
        for (var e : fullLogs.entrySet()) {
            System.out.println("---- full log " + e.getKey() + " ----\n"
                    + new String(Brotli.decompress(e.getValue()), StandardCharsets.UTF_8));
        }
        assertEquals(BatchOutcome.COMPLETED, r.outcome(), r.toString() + " " + verdicts);
        assertTrue(verdicts.get("vm.pass").startsWith("PASSED #1"), verdicts.toString());
        assertTrue(verdicts.get("vm.fail").startsWith("FAILED #1"), verdicts.toString());
        assertTrue(verdicts.get("vm.skip").startsWith("NOTRUN #1 ========= NOTRUN skip in 0s: no such device"));
        assertTrue(verdicts.get("vm.panic").startsWith("FAILED #1"), "the panicked subtest fails: " + verdicts);
        assertTrue(verdicts.get("vm.after").startsWith("PASSED #2"), "resumed in a fresh VM: " + verdicts);
        assertTrue(verdicts.get("vm.hang").startsWith("FAILED #2 ========= FAILED TIMEOUT hang"), verdicts.toString());
        String full = new String(Brotli.decompress(fullLogs.get("vm.pass 1")), StandardCharsets.UTF_8);
        assertTrue(full.contains("qemu: qemu-system-x86_64 -nodefaults"), "the full log says how to reproduce the run");
        assertTrue(full.contains("KVM unavailable, using TCG"), full);
        assertTrue(full.contains("Kernel panic"), "the panic reached the console: " + full);
        assertTrue(runInfos.get(0).startsWith("1 runner=qemu command=qemu-system-x86_64 -nodefaults"), runInfos.toString());
        assertTrue(runInfos.get(0).contains(" initramfs_sha256="), "verdicts carry how to reproduce their VM run");
    }
}
