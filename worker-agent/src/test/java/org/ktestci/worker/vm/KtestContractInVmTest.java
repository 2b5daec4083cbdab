package org.ktestci.worker.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract ktest gives a test inside its VM (ktest-interface.md §6.4 items 3–6), exercised by a test file on
 * ktest's real {@code test-libs.sh}: a scratch disk at {@code /dev/vdb} formatted and mounted, the environment
 * {@code prelude.sh} reads, {@code config-mem}/{@code config-cpus}/{@code require-kernel-append}, a kernel panic in
 * the middle (the later subtests resume in a fresh VM), {@code ktest_skip} with its reason, and a
 * {@code config-timeout} short enough to fire under TCG. Subtests run in listing order.
 */
class KtestContractInVmTest {
    static final String TEST_FILE = """
            #!/usr/bin/env bash
            # ktest-ci's own check of the VM contract, on ktest's test-libs.sh.
            . "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/test-libs.sh"

            config-mem 768M
            config-cpus 1
            config-scratch-devs 64M
            config-timeout 8
            require-kernel-append ktest_ci_contract=1

            test_a_scratch()
            {
                [[ ${ktest_scratch_dev[0]} = /dev/vdb ]]
                [[ -b /dev/vdb ]]
                mkfs.ext4 -q -F /dev/vdb
                mkdir -p /mnt/scratch
                mount /dev/vdb /mnt/scratch
                echo data > /mnt/scratch/file
                umount /mnt/scratch
                mount /dev/vdb /mnt/scratch
                grep -q data /mnt/scratch/file
                umount /mnt/scratch
            }

            test_b_environment()
            {
                [[ $ktest_scratch_dev_base = 1 ]]
                mapfile -t drives <<< "$ktest_qemu_drives"
                mapfile -t devices <<< "$ktest_qemu_devices"
                [[ ${drives[1]} = *id=disk1,file=*/dev-1,* ]]
                [[ ${devices[1]} = *id=dev1 ]]
                [[ $(nproc) = 1 ]]
                (( $(awk '/MemTotal/ {print $2}' /proc/meminfo) > 600000 ))
                (( $(awk '/MemTotal/ {print $2}' /proc/meminfo) < 800000 ))
                grep -q ktest_ci_contract=1 /proc/cmdline
                [[ $(readlink -e /ktest/tests) = /ktest/tests ]]
                assert_fails_with "Read-only file system" touch /ktest/tests/written-by-the-guest
                echo from-the-guest > "$ktest_out/guest-wrote-this"
                modprobe loop
                for c in pkill fuser numfmt setpriv mkfs.ext4 fio gawk; do command -v $c >/dev/null; done
            }

            test_c_panic()
            {
                echo c > /proc/sysrq-trigger
            }

            test_d_after_panic()
            {
                [[ -b /dev/vdb ]]
            }

            test_e_skip()
            {
                ktest_skip "no widget on this machine"
            }

            test_f_timeout()
            {
                sleep 600
            }

            main "$@"
            """;

    @TempDir
    Path dir;

    @Test
    void theVmGivesATestWhatKtestGivesIt() throws Exception {
        VmTestEnvironment.qemu();
        Path kernel = VmTestEnvironment.kernel();
        Path image = VmTestEnvironment.rootImage();
        Path ktest = VmTestEnvironment.copyOfKtest(dir);
        Path file = ktest.resolve("tests/ktest-ci-contract.ktest");
        Files.writeString(file, TEST_FILE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        VmBatch vm = new VmBatch(dir, ktest, VmBatch.settings(dir, kernel, Optional.of(image)));
        List<String> subtests = List.of("a_scratch", "b_environment", "c_panic", "d_after_panic", "e_skip",
                "f_timeout");
        vm.run("ktest-ci-contract.ktest", subtests, 1200);
        System.out.printf("6-subtest batch with a panic in the middle and a timeout: %.1f s in %d VMs%n", vm.seconds,
                vm.fullLogs.size());
        String t = vm.transcript();
        assertEquals("PASSED", vm.status("ktest-ci-contract.a_scratch"), t);
        assertEquals(1, vm.verdicts.get("ktest-ci-contract.a_scratch").iteration(), t);
        assertEquals("PASSED", vm.status("ktest-ci-contract.b_environment"), t);
        assertEquals("from-the-guest\n", Files.readString(dir.resolve("work/slot-0/ktest-out/guest-wrote-this")),
                "ktest-out is shared read-write");
        assertEquals("FAILED", vm.status("ktest-ci-contract.c_panic"), t);
        assertEquals("TEST FAILED", vm.verdicts.get("ktest-ci-contract.c_panic").statusLine(), t);
        assertEquals("PASSED", vm.status("ktest-ci-contract.d_after_panic"), t);
        assertEquals(2, vm.verdicts.get("ktest-ci-contract.d_after_panic").iteration(), "a fresh VM: " + t);
        assertEquals("NOTRUN", vm.status("ktest-ci-contract.e_skip"), t);
        assertTrue(vm.verdicts.get("ktest-ci-contract.e_skip").statusLine()
                .matches("========= NOTRUN e_skip in \\d+s: no widget on this machine"), t);
        assertEquals("FAILED", vm.status("ktest-ci-contract.f_timeout"), t);
        assertTrue(vm.verdicts.get("ktest-ci-contract.f_timeout").statusLine()
                .startsWith("========= FAILED TIMEOUT f_timeout in 3"), "config-timeout 8 x 4 under TCG: " + t);
        assertEquals(List.of(), vm.finished.unreached(), t);
    }
}
