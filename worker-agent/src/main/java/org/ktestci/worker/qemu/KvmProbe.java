package org.ktestci.worker.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether KVM really works (README decision 13): {@code /dev/kvm} must open read-write, the guest arch must be the
 * host's, and a probe VM must boot the kernel under KVM (to its "no init" panic, which ends qemu) fast enough —
 * nested hosts often expose a {@code /dev/kvm} whose vCPUs fail or crawl. The agent probes once at start
 * ({@link #atAgentStart}, blocking: never on an actor thread) and reports the decision in its hello; batches reuse
 * it ({@link #usable}). {@code KTEST_CI_QEMU_ACCEL=tcg} in the agent's environment skips the probe.
 */
public final class KvmProbe {
    /** A real KVM host boots a distribution kernel to its panic in about a second; TCG here takes about 7 s. */
    static final Duration FAST_ENOUGH = Duration.ofSeconds(10);
    static final Duration GIVE_UP = Duration.ofSeconds(30);
    private static final Path DEVICE = Path.of("/dev/kvm");
    private static final Map<String, KvmDecision> DECISIONS = new ConcurrentHashMap<>();

    private final Path device;
    private final Duration fastEnough;
    private final Duration giveUp;

    KvmProbe(Path device, Duration fastEnough, Duration giveUp) {
        this.device = device;
        this.fastEnough = fastEnough;
        this.giveUp = giveUp;
    }

    /**
     * The agent-start probe for the host's own arch, booting {@code kernel} (worker.qemu_kernel, else one from the
     * kernel store). Blocks up to {@link #GIVE_UP}. Its decision is kept for the batches of that qemu binary, unless
     * there was no kernel to probe with (then the first qemu batch probes with its own).
     */
    public static KvmDecision atAgentStart(String hostArch, String qemuBinary, Optional<Path> kernel,
                                           Map<String, String> env) {
        KvmDecision d = new KvmProbe(DEVICE, FAST_ENOUGH, GIVE_UP).decide(hostArch, qemuBinary, kernel, env);
        if (kernel.isPresent()) {
            DECISIONS.put(qemuBinary, d);
        }
        return d;
    }

    /** Whether a batch's VM uses KVM: never for a foreign arch; else the agent's decision (probing if it had none). */
    public static boolean usable(String guestArch, String hostArch, String qemuBinary, Path kernel,
                                 Map<String, String> env) {
        if (!guestArch.equals(hostArch)) {
            return false;
        }
        return DECISIONS.computeIfAbsent(qemuBinary, b -> new KvmProbe(DEVICE, FAST_ENOUGH, GIVE_UP)
                .decide(hostArch, b, Optional.of(kernel), env)).usable();
    }

    KvmDecision decide(String arch, String qemuBinary, Optional<Path> kernel, Map<String, String> env) {
        if ("tcg".equals(env.get("KTEST_CI_QEMU_ACCEL"))) {
            return KvmDecision.no("KTEST_CI_QEMU_ACCEL=tcg in the agent's environment");
        }
        Optional<String> deviceProblem = deviceProblem();
        if (deviceProblem.isPresent()) {
            return KvmDecision.no(deviceProblem.get());
        }
        if (kernel.isEmpty()) {
            return KvmDecision.no("no kernel to boot a probe VM with (worker.qemu_kernel, or one in worker.kernel_store)");
        }
        return probeBoot(qemuBinary, arch, kernel.get());
    }

    private Optional<String> deviceProblem() {
        if (!Files.exists(device)) {
            return Optional.of(device + " does not exist");
        }
        try (FileChannel ignored = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            return Optional.of(device + " does not open read-write: permission denied (is the agent's user in group kvm?)");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of(device + " does not open read-write: " + e.getMessage());
        }
    }

    /** Boots the kernel without an init: it panics, and -no-reboot with panic=-1 ends qemu. */
    private KvmDecision probeBoot(String qemuBinary, String arch, Path kernel) {
        boolean x86 = arch.equals("x86_64");
        List<String> argv = List.of(qemuBinary, "-nodefaults", "-display", "none", "-no-reboot", "-machine",
                x86 ? "q35" : "virt,gic-version=max", "-accel", "kvm", "-cpu", "host", "-m", "256M", "-kernel",
                kernel.toString(), "-append", "console=" + (x86 ? "ttyS0" : "ttyAMA0") + " panic=-1 rdinit=/none",
                "-serial", "stdio");
        long start = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            return KvmDecision.no(qemuBinary + " did not start: " + e.getMessage());
        }
        // The JVM may stop while the probe runs: its VM must not outlive it.
        Thread killer = new Thread(() -> stop(p), "kvm-probe-stop");
        Runtime.getRuntime().addShutdownHook(killer);
        Console console = new Console(p);
        try {
            boolean exited = p.waitFor(giveUp.toMillis(), TimeUnit.MILLISECONDS);
            double secs = (System.nanoTime() - start) / 1e9;
            if (!exited) {
                return KvmDecision.no("a probe VM did not finish booting in " + giveUp.toSeconds() + " s");
            }
            console.awaitEnd();
            if (!console.booted()) {
                return KvmDecision.no("qemu exited with status " + p.exitValue() + " before the kernel booted"
                        + console.lastLine().map(l -> ": " + l).orElse(""));
            }
            if (secs > fastEnough.toMillis() / 1000.0) {
                return KvmDecision.no(String.format(Locale.ROOT, "a probe VM took %.1f s (KVM is used only below %d s)",
                        secs, fastEnough.toSeconds()));
            }
            return KvmDecision.yes(String.format(Locale.ROOT, "a probe VM booted in %.1f s", secs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KvmDecision.no("the probe was interrupted");
        } finally {
            stop(p);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** The probe VM's console, read on its own thread: whether the kernel printed its banner, and the last lines. */
    private static final class Console {
        private final Deque<String> tail = new ArrayDeque<>();
        private final Thread reader;
        private volatile boolean booted;

        Console(Process p) {
            reader = new Thread(() -> read(p), "kvm-probe-console");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(Process p) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.ISO_8859_1))) {
                String line;
                while ((line = r.readLine()) != null) {
                    booted |= line.contains("Linux version");
                    synchronized (tail) {
                        if (!line.isBlank()) {
                            tail.addLast(line.strip());
                        }
                        if (tail.size() > 3) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process is gone: what was read is what there is
            }
        }

        void awaitEnd() throws InterruptedException {
            reader.join(2000);
        }

        boolean booted() {
            return booted;
        }

        Optional<String> lastLine() {
            synchronized (tail) {
                return Optional.ofNullable(tail.peekLast());
            }
        }
    }
}
