package org.ktestci.worker;

import com.sun.management.OperatingSystemMXBean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.ktestci.schema.BuildVersion;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.WorkerConfig;
import org.ktestci.worker.agent.ActiveLeases;
import org.ktestci.worker.agent.AgentRejects;
import org.ktestci.worker.agent.AgentIdentity;
import org.ktestci.worker.agent.BatchValidator;
import org.ktestci.worker.agent.KernelPolicy;
import org.ktestci.worker.agent.SlotRunner;
import org.ktestci.worker.agent.WorkerAgent;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.console.ConsoleLimits;
import org.ktestci.worker.run.BatchExecution;
import org.ktestci.worker.run.KtestRevision;
import org.ktestci.worker.qemu.KvmDecision;
import org.ktestci.worker.qemu.KvmProbe;
import org.ktestci.worker.qemu.QemuSettings;
import org.ktestci.worker.run.SlotSettings;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import java.nio.file.Files;

/** Builds a worker agent from the config: identity, slot runners, the batch pipeline. */
public final class WorkerNode {
    private WorkerNode() {
    }

    public static ActorRef<Object> spawnAgent(ActorContext<?> ctx, CiConfig config) {
        WorkerConfig w = config.worker();
        SlotSettings base = new SlotSettings(w.host(), 0, w.workspace(), w.ktestDir(), w.runner().id(),
                (long) w.logCapMib() << 20, (long) w.minFreeDiskGib() << 30, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(5), new ConsoleLimits(
                (long) w.consoleCapMib() << 20, w.consoleLinesPerSec()));
        WorkspaceCheckout checkout = new WorkspaceCheckout(w.workspace());
        BatchValidator validator = new BatchValidator(w.ktestDir(), Optional.of(w.arch().id()),
                new KernelPolicy(w.kernelStore(), w.kernelPaths(), w.qemuKernel()));
        AgentIdentity identity = new AgentIdentity(w.host(), w.arch().id(), w.slots(), w.runner().id(), BuildVersion.VERSION,
                KtestRevision.of(w.ktestDir()), memoryMib(), Runtime.getRuntime().availableProcessors());
        QemuSettings qemuSettings = new QemuSettings(w.kernelStore(), w.qemuBinary(), onPath(w.busybox()),
                onPath(w.bash()), w.qemuKernel(), w.arch().id(), w.rootImage(), w.defaultRootImage(),
                w.workspace().resolve("module-index"));
        reportRootImage(qemuSettings, w);
        Optional<QemuSettings> qemu = Optional.of(qemuSettings);
        // KVM is probed now, at agent start, so the first hello tells the truth (README decision 13); the probe
        // boots a VM for up to 30 s, so it runs on the blocking dispatcher, never on an actor thread.
        Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        CompletableFuture<KvmDecision> kvm = CompletableFuture.supplyAsync(() -> KvmProbe.atAgentStart(w.arch().id(),
                w.qemuBinary(), probeKernel(w), System.getenv()), blocking);
        ActiveLeases active = new ActiveLeases();
        return ctx.spawn(WorkerAgent.create(identity, kvm, n -> SlotRunner.create(n,
                (batch, sink) -> new BatchExecution(batch, sink, base.forSlot(n), checkout, System.getenv(), qemu),
                validator, Duration.ofSeconds(config.heartbeatInterval()), active), active, validator,
                new AgentRejects()), "worker-agent");
    }

    /** ktest-interface.md §6.3: say once at start when the qemu runner cannot run ktest's own tests. */
    private static void reportRootImage(QemuSettings q, WorkerConfig w) {
        var log = LoggerFactory.getLogger(WorkerNode.class);
        Optional<Path> image = q.effectiveRootImage();
        if (image.isPresent()) {
            log.info("qemu runner: root image {} (ktest-like VMs, ktest-interface.md §6.4)", image.get());
        } else if (w.runner() == WorkerConfig.Runner.QEMU) {
            log.warn("qemu runner: no root image ({} does not exist and worker.root_image is unset): VMs get the "
                    + "busybox initramfs, in which ktest's own tests cannot run; build one with 'ktest-ci worker "
                    + "build-root-image'", w.defaultRootImage());
        }
    }

    /** A kernel to boot the KVM probe with: worker.qemu_kernel, else the first of the host's arch in the store. */
    static Optional<Path> probeKernel(WorkerConfig w) {
        if (w.qemuKernel().isPresent()) {
            return w.qemuKernel();
        }
        // <store>/<distro>/<release>/<arch>/<version>/vmlinuz (ktest-interface.md §6.3); the arch level is named
        // as ktest does (Debian's amd64/arm64) or as the host's arch (KernelStore accepts both).
        Set<String> archDirs = w.arch().id().equals("x86_64") ? Set.of("x86_64", "amd64")
                : Set.of("aarch64", "arm64");
        try (Stream<Path> found = Files.find(w.kernelStore(), 5, (p, attrs) -> attrs.isRegularFile()
                && p.getFileName().toString().equals("vmlinuz") && p.getNameCount() >= 3
                && archDirs.contains(p.getParent().getParent().getFileName().toString()))) {
            return found.sorted().findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // no store (yet): the first qemu batch probes with its own kernel
        }
    }

    /** A command name looked up on PATH (absolute paths as given); the name itself when not found. */
    static Path onPath(String command) {
        if (command.contains("/")) {
            return Path.of(command);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return Path.of(command);
    }

    static long memoryMib() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize() >> 20;
        }
        return Runtime.getRuntime().maxMemory() >> 20;
    }
}
