package org.ktestci.worker.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether KVM really works (README decision 13): {@code /dev/kvm} must open read-write, the guest arch must be
 * the host's, and a probe boot of the kernel under KVM must print {@code Linux version} within a bound — nested
 * hosts often expose a {@code /dev/kvm} whose vCPUs fail or crawl. The answer is cached per qemu binary.
 * {@code KTEST_CI_QEMU_ACCEL=tcg} in the agent's environment skips the probe.
 */
public final class KvmProbe {
    private static final long PROBE_SECONDS = 20;
    private static final Map<String, Boolean> CACHE = new ConcurrentHashMap<>();

    private KvmProbe() {
    }

    public static boolean usable(String guestArch, String hostArch, String qemuBinary, Path kernel,
                                 Map<String, String> env) {
        if ("tcg".equals(env.get("KTEST_CI_QEMU_ACCEL")) || !guestArch.equals(hostArch) || !kvmDeviceOpens()) {
            return false;
        }
        return CACHE.computeIfAbsent(qemuBinary, b -> probeBoot(b, guestArch, kernel));
    }

    private static boolean kvmDeviceOpens() {
        try (FileChannel ignored = FileChannel.open(Path.of("/dev/kvm"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean probeBoot(String qemuBinary, String arch, Path kernel) {
        boolean x86 = arch.equals("x86_64");
        List<String> argv = List.of(qemuBinary, "-nodefaults", "-display", "none", "-no-reboot", "-machine",
                x86 ? "q35" : "virt,gic-version=max", "-accel", "kvm", "-cpu", "host", "-m", "256M", "-kernel",
                kernel.toString(), "-append", "console=" + (x86 ? "ttyS0" : "ttyAMA0") + " panic=-1 rdinit=/none",
                "-serial", "stdio");
        Process p = null;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            Process proc = p;
            var booted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                        StandardCharsets.ISO_8859_1))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.contains("Linux version")) {
                            return true;
                        }
                    }
                } catch (IOException ignored) {
                    // the process died: not booted
                }
                return false;
            });
            return booted.get(PROBE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        } finally {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
