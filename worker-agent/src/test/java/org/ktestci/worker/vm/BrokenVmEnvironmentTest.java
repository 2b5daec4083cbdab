package org.ktestci.worker.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broken VM environment never loops (ktest-interface.md §6.4, scheduling.md §8): a missing or unusable root
 * image is the host's fault ({@code no_root_image}, before any VM starts); a kernel that cannot reach its root is
 * the commit's ({@code zero_progress} after one clean retry). Each leaves one log line naming what is missing.
 */
class BrokenVmEnvironmentTest {
    static final String TEST = """
            #!/bin/bash
            case $1 in
                list-tests) echo one ;;
                deps) echo ktest_mem=512; echo ktest_cpus=1; echo ktest_timeout=60 ;;
                run-tests) echo "========= TEST   one"; echo "========= PASSED one in 0s" ;;
            esac
            """;

    @TempDir
    Path dir;

    private Path ktestTree() throws Exception {
        Path test = dir.resolve("ktest/tests/one.ktest");
        Files.createDirectories(test.getParent());
        Files.writeString(test, TEST);
        Files.setPosixFilePermissions(test, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve("ktest");
    }

    @Test
    void aMissingRootImageEndsTheBatchAsTheHostsFaultBeforeAnyVm() throws Exception {
        Path missing = dir.resolve("state/root.x86_64");
        VmBatch vm = new VmBatch(dir, ktestTree(), VmBatch.settings(dir, dir.resolve("no-kernel-needed"),
                Optional.of(missing))).run("one.ktest", List.of("one"), 60);
        assertEquals(BatchOutcome.INFRA_FAILURE, vm.finished.outcome(), vm.transcript());
        assertEquals(LeaseEndReason.NO_ROOT_IMAGE, vm.finished.reason(), vm.transcript());
        assertEquals(List.of(new BatchFinished.Unreached("one.one", LeaseEndReason.NO_ROOT_IMAGE)),
                vm.finished.unreached());
        assertTrue(vm.fullLogs.isEmpty(), "no VM was started");
        String log = Files.readString(dir.resolve("work/slot-0/agent.log"));
        assertTrue(log.contains("root image " + missing + " is missing"), log);
    }

    @Test
    void aFileThatIsNotAnExtImageIsNoRootImageToo() throws Exception {
        Path garbage = dir.resolve("root.img");
        Files.write(garbage, new byte[1 << 20]);
        VmBatch vm = new VmBatch(dir, ktestTree(), VmBatch.settings(dir, dir.resolve("no-kernel-needed"),
                Optional.of(garbage))).run("one.ktest", List.of("one"), 60);
        assertEquals(LeaseEndReason.NO_ROOT_IMAGE, vm.finished.reason(), vm.transcript());
        String log = Files.readString(dir.resolve("work/slot-0/agent.log"));
        assertTrue(log.contains("is not a raw ext2/ext3/ext4 image"), log);
    }

    @Test
    void aQemuThatCrashesBeforeItsConsoleIsRetriedOnceInAFreshVm() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        VmBatch vm = new VmBatch(dir, ktestTree(), VmBatch.settings(dir, kernel, Optional.empty(),
                crashingQemu(1))).run("one.ktest", List.of("one"), 60);
        assertEquals(BatchOutcome.COMPLETED, vm.finished.outcome(), vm.transcript());
        assertEquals("PASSED", vm.status("one.one"), vm.transcript());
        assertEquals(2, vm.fullLogs.size(), vm.transcript());
        String log = Files.readString(dir.resolve("work/slot-0/agent.log"));
        assertTrue(log.contains("qemu was killed by signal 11 before writing to its console; retrying once in a "
                + "fresh VM"), log);
    }

    @Test
    void aQemuThatCrashesTwiceEndsTheBatchAsRunnerFailed() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        VmBatch vm = new VmBatch(dir, ktestTree(), VmBatch.settings(dir, kernel, Optional.empty(),
                crashingQemu(2))).run("one.ktest", List.of("one"), 60);
        assertEquals(BatchOutcome.INFRA_FAILURE, vm.finished.outcome(), vm.transcript());
        assertEquals(LeaseEndReason.RUNNER_FAILED, vm.finished.reason(), vm.transcript());
        assertEquals(2, vm.fullLogs.size(), "one retry, no loop: " + vm.transcript());
    }

    /** A qemu that segfaults (SIGSEGV, as Debian's qemu 7.2 was seen to) on its first {@code crashes} starts. */
    private Path crashingQemu(int crashes) throws Exception {
        Path script = dir.resolve("bin/qemu-crashing");
        Files.createDirectories(script.getParent());
        Files.writeString(script, """
                #!/bin/bash
                n=$(cat "%1$s" 2>/dev/null || echo 0)
                echo $((n + 1)) > "%1$s"
                if [ "$n" -lt %2$d ]; then kill -SEGV $$; fi
                exec qemu-system-x86_64 "$@"
                """.formatted(dir.resolve("bin/starts"), crashes));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void aKernelWithoutItsModulesIsZeroProgressNamingTheMissingDriver() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        Path image = VmTestEnvironment.rootImage();
        Path bare = dir.resolve("bare-kernel/vmlinuz");
        Files.createDirectories(bare.getParent());
        Files.copy(kernel, bare); // no lib/modules beside it: no virtio-blk, no ext4, no 9p
        VmBatch vm = new VmBatch(dir, ktestTree(), VmBatch.settings(dir, bare, Optional.of(image)))
                .run("one.ktest", List.of("one"), 60);
        assertEquals(BatchOutcome.INFRA_FAILURE, vm.finished.outcome(), vm.transcript());
        assertEquals(LeaseEndReason.ZERO_PROGRESS, vm.finished.reason(), "the commit's side: " + vm.transcript());
        assertEquals(2, vm.fullLogs.size(), "one clean retry, then it stops: " + vm.transcript());
        String log = Files.readString(dir.resolve("work/slot-0/agent.log"));
        assertTrue(log.contains("no subtest reached in iteration 2: ktest-ci-init: no root disk /dev/vda: the kernel "
                + "lacks virtio_pci/virtio_blk"), log);
    }
}
