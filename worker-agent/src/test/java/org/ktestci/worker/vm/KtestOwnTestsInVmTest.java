package org.ktestci.worker.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ktest's own test files, unmodified, in ktest-like VMs (ktest-interface.md §6.4): Debian's kernel with its
 * modules, a root image from {@code build-root-image}, the ktest tree shared read-only over 9p. Each file sources
 * {@code test-libs.sh} → {@code prelude.sh} → {@code lib/common.sh}, which a busybox userspace cannot run.
 */
class KtestOwnTestsInVmTest {
    @TempDir
    Path dir;

    @Test
    void successFailureTimeoutAndCrashGiveKtestsVerdicts() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        Path image = VmTestEnvironment.rootImage();
        Path ktest = VmTestEnvironment.copyOfKtest(dir);
        VmBatch vm = new VmBatch(dir, ktest, VmBatch.settings(dir, kernel, Optional.of(image)));

        vm.run("success.ktest", List.of("success"), 1200);
        System.out.printf("success.ktest: %.1f s%n", vm.seconds);
        assertEquals("PASSED", vm.status("success.success"), vm.transcript());
        assertTrue(vm.runInfos.get(0).contains(" root_image=" + image), vm.runInfos.toString());

        vm.run("failure.ktest", List.of("failure"), 1200);
        assertEquals("FAILED", vm.status("failure.failure"), vm.transcript());
        assertTrue(vm.verdicts.get("failure.failure").statusLine().startsWith("========= FAILED failure in "),
                "the test's own FAILED marker, not a timeout: " + vm.transcript());

        // config-timeout 10, x4 under TCG: 40 s, longer than the 30 s sleep, so the test fails by its own false.
        vm.run("timeout.ktest", List.of("timeout"), 1200);
        assertEquals("FAILED", vm.status("timeout.timeout"), vm.transcript());
        assertTrue(vm.verdicts.get("timeout.timeout").statusLine().startsWith("========= FAILED timeout in "),
                vm.transcript());
        assertTrue(vm.verdicts.get("timeout.timeout").seconds() >= 29, "it slept its 30 s: " + vm.transcript());

        vm.run("crash.ktest", List.of("crash"), 1200);
        assertEquals("FAILED", vm.status("crash.crash"), vm.transcript());
        assertEquals("TEST FAILED", vm.verdicts.get("crash.crash").statusLine(),
                "the subtest open when the kernel panicked keeps its pessimistic status: " + vm.transcript());
        assertTrue(String.join("\n", vm.fullLogs).contains("Kernel panic"), vm.transcript());
    }
}
