package org.ktestci.worker.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KVM decision and its reason (README decision 13), with stand-ins for /dev/kvm and qemu: a probe VM must boot
 * the kernel fast enough, and a hung one is killed.
 */
class KvmProbeTest {
    @TempDir
    Path dir;

    private Path device() throws Exception {
        return Files.writeString(dir.resolve("kvm"), "");
    }

    private Path kernel() throws Exception {
        return Files.writeString(dir.resolve("vmlinuz"), "");
    }

    /** A qemu stand-in running {@code body} (bash), after noting its pid. */
    private String qemu(String body) throws Exception {
        Path q = dir.resolve("qemu-system-x86_64");
        Files.writeString(q, "#!/usr/bin/env bash\necho $$ > '" + dir.resolve("pid") + "'\n" + body + "\n");
        Files.setPosixFilePermissions(q, PosixFilePermissions.fromString("rwxr-xr-x"));
        return q.toString();
    }

    private KvmDecision decide(Duration fastEnough, Duration giveUp, String qemu) throws Exception {
        return new KvmProbe(device(), fastEnough, giveUp).decide("x86_64", qemu, Optional.of(kernel()), Map.of());
    }

    private static final String BOOTS = "echo '[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)'\n"
            + "echo '[    2.041678] Kernel panic - not syncing: No working init found.'";

    @Test
    void aVmThatBootsQuicklyMeansKvm() throws Exception {
        KvmDecision d = decide(Duration.ofSeconds(10), Duration.ofSeconds(30), qemu(BOOTS));
        assertTrue(d.usable(), d.reason());
        assertTrue(d.reason().matches("a probe VM booted in \\d+\\.\\d s"), d.reason());
    }

    @Test
    void aVmThatBootsSlowlyMeansTcgAndSaysHowLongItTook() throws Exception {
        KvmDecision d = decide(Duration.ofSeconds(1), Duration.ofSeconds(30), qemu("sleep 1.5\n" + BOOTS));
        assertFalse(d.usable());
        assertTrue(d.reason().matches("a probe VM took \\d+\\.\\d s \\(KVM is used only below 1 s\\)"), d.reason());
    }

    @Test
    void aHungVmIsKilledAndMeansTcg() throws Exception {
        KvmDecision d = decide(Duration.ofSeconds(1), Duration.ofSeconds(2), qemu("sleep 120"));
        assertEquals(new KvmDecision(false, "a probe VM did not finish booting in 2 s"), d);
        long pid = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "the probe VM outlived the probe");
            Thread.onSpinWait();
        }
    }

    @Test
    void qemuFailingBeforeTheKernelBootsIsReportedWithItsLastWords() throws Exception {
        KvmDecision d = decide(Duration.ofSeconds(10), Duration.ofSeconds(30),
                qemu("echo 'Could not access KVM kernel module: Permission denied' >&2\n"
                        + "echo 'qemu-system-x86_64: failed to initialize kvm: Permission denied' >&2\nexit 1"));
        assertEquals(new KvmDecision(false, "qemu exited with status 1 before the kernel booted: "
                + "qemu-system-x86_64: failed to initialize kvm: Permission denied"), d);
    }

    @Test
    void aMissingQemuIsReported() throws Exception {
        KvmDecision d = decide(Duration.ofSeconds(10), Duration.ofSeconds(30), dir.resolve("absent-qemu").toString());
        assertFalse(d.usable());
        assertTrue(d.reason().startsWith(dir.resolve("absent-qemu") + " did not start: "), d.reason());
    }

    @Test
    void noDeviceNoKernelOrTcgForcedNeedNoVm() throws Exception {
        Path absent = dir.resolve("no-kvm");
        String qemu = qemu("touch '" + dir.resolve("ran") + "'\n" + BOOTS);
        assertEquals(new KvmDecision(false, absent + " does not exist"), new KvmProbe(absent, Duration.ofSeconds(10),
                Duration.ofSeconds(30)).decide("x86_64", qemu, Optional.of(kernel()), Map.of()));
        assertEquals(new KvmDecision(false,
                        "no kernel to boot a probe VM with (worker.qemu_kernel, or one in worker.kernel_store)"),
                new KvmProbe(device(), Duration.ofSeconds(10), Duration.ofSeconds(30)).decide("x86_64", qemu,
                        Optional.empty(), Map.of()));
        assertEquals(new KvmDecision(false, "KTEST_CI_QEMU_ACCEL=tcg in the agent's environment"),
                new KvmProbe(device(), Duration.ofSeconds(10), Duration.ofSeconds(30)).decide("x86_64", qemu,
                        Optional.of(kernel()), Map.of("KTEST_CI_QEMU_ACCEL", "tcg")));
        assertFalse(Files.exists(dir.resolve("ran")), "no probe VM was needed");
    }

    @Test
    void aDeviceThatDoesNotOpenReadWriteIsReported() throws Exception {
        Path ro = device();
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r--r--r--"));
        if (Files.isWritable(ro)) {
            return; // root ignores the mode: nothing to observe here
        }
        KvmDecision d = new KvmProbe(ro, Duration.ofSeconds(10), Duration.ofSeconds(30)).decide("x86_64",
                qemu(BOOTS), Optional.of(kernel()), Map.of());
        assertEquals(new KvmDecision(false,
                ro + " does not open read-write: permission denied (is the agent's user in group kvm?)"), d);
    }

    @Test
    void thisMachinesDecisionComesWithAReason() {
        KvmDecision d = KvmProbe.atAgentStart("x86_64", "qemu-system-x86_64", Optional.empty(), Map.of());
        assertFalse(d.usable(), "no kernel to probe with: never KVM");
        if (!Files.exists(Path.of("/dev/kvm"))) {
            assertEquals("/dev/kvm does not exist", d.reason());
        }
    }
}
