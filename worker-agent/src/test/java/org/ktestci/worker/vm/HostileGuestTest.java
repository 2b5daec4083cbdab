package org.ktestci.worker.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code in a VM is someone's untested kernel and tests: what it prints must not command the host. A guest asks
 * the supervisor's QEMU_MONITOR relay to write guest memory to a host file ({@code pmemsave}), to run a host
 * command ({@code migrate "exec:…"}), and to attach a host file as a disk ({@code drive_add}/{@code device_add});
 * all are refused, while ktest's own {@code scratch_dev_unplug}/{@code scratch_dev_plug} of the run's scratch disk
 * still work through the same relay. Before the allow-list, the migrate ran a shell on the host and pmemsave wrote
 * the host file.
 */
class HostileGuestTest {
    static final String TEST_FILE = """
            #!/usr/bin/env bash
            . "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/test-libs.sh"
            config-mem 512M
            config-cpus 1
            config-scratch-devs 32M
            config-timeout 60

            test_a_attack()
            {
                echo "QEMU_MONITOR pmemsave 0 4096 \\"$HOST_DIR/pmemsave-wrote-this\\""
                echo "QEMU_MONITOR migrate \\"exec:touch $HOST_DIR/migrate-ran-this\\""
                echo "QEMU_MONITOR drive_add 0 if=none,format=raw,id=stolen,file=$HOST_DIR/host-secret"
                echo "QEMU_MONITOR device_add virtio-blk-pci,drive=stolen,id=stolen0"
                echo "QEMU_MONITOR drive_add 0 if=none,format=raw,id=disk1p9,file=$HOST_DIR/host-secret,cache=unsafe"
                echo "QEMU_MONITOR device_del dev0"
                sleep 5
                [[ ! -b /dev/vdc ]]
                [[ -b /dev/vda && -b /dev/vdb ]]
                # what a guest may leave in ktest-out for the next batch's cleanup
                ln -s "$HOST_DIR" /ktest-out/kernel.escape
                ln -s "$HOST_DIR" /ktest-out/kernel_build.escape
                mkfifo /ktest-out/fifo 2>/dev/null || true   # 9p (security_model=none) refuses special files
                truncate -s 1T /ktest-out/huge-sparse
                touch "/ktest-out/name-$(printf '\\x1b[31m\\x07')"
            }

            test_b_hotplug()
            {
                scratch_dev_unplug 0
                [[ ! -b /dev/vdb ]]
                scratch_dev_plug 0
                [[ -b /dev/vdb ]]
                mkfs.ext4 -q -F /dev/vdb
            }

            main "$@"
            """;

    @TempDir
    Path dir;

    @Test
    void theGuestCannotCommandQemuOnTheHost() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        Path image = VmTestEnvironment.rootImage();
        Path ktest = VmTestEnvironment.copyOfKtest(dir);
        Path hostDir = dir.resolve("host-only");
        Files.createDirectories(hostDir);
        Files.writeString(hostDir.resolve("host-secret"), "the host's secret\n");
        Path file = ktest.resolve("tests/hostile.ktest");
        Files.writeString(file, TEST_FILE.replace("$HOST_DIR", hostDir.toString()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        VmBatch vm = new VmBatch(dir, ktest, VmBatch.settings(dir, kernel, Optional.of(image)));
        vm.run("hostile.ktest", List.of("a_attack", "b_hotplug"), 1200);
        String t = vm.transcript();
        assertFalse(Files.exists(hostDir.resolve("migrate-ran-this")), "a guest ran a command on the host: " + t);
        assertFalse(Files.exists(hostDir.resolve("pmemsave-wrote-this")), "a guest wrote a host file: " + t);
        assertEquals("PASSED", vm.status("hostile.a_attack"), "the host file never reached the guest: " + t);
        assertTrue(t.contains("QEMU_MONITOR refused: pmemsave"), t);
        assertTrue(t.contains("QEMU_MONITOR refused: migrate"), t);
        assertTrue(t.contains("QEMU_MONITOR refused: drive_add"), t);
        assertEquals("PASSED", vm.status("hostile.b_hotplug"),
                "ktest's own scratch-device hot-plug goes through the allow-list: " + t);

        // The next batch on the slot cleans ktest-out without following what the guest planted.
        vm.run("hostile.ktest", List.of("b_hotplug"), 1200);
        assertEquals("the host's secret\n", Files.readString(hostDir.resolve("host-secret")));
        try (var s = Files.list(hostDir)) {
            assertEquals(1, s.count(), "nothing written or deleted outside the slot");
        }
        try (var s = Files.list(dir.resolve("work/slot-0/ktest-out"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("huge")), "the sparse file is gone");
        }
    }
}
