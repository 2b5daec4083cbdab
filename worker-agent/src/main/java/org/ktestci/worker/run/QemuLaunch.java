package org.ktestci.worker.run;

import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.run.RunInfo;
import org.ktestci.worker.console.MonitorPolicy;
import org.ktestci.worker.qemu.GuestScripts;
import org.ktestci.worker.qemu.InitramfsBuilder;
import org.ktestci.worker.qemu.KernelImage;
import org.ktestci.worker.qemu.KernelModules;
import org.ktestci.worker.qemu.KernelStore;
import org.ktestci.worker.qemu.QemuCommand;
import org.ktestci.worker.qemu.QemuSettings;
import org.ktestci.worker.qemu.ScratchDevices;
import org.ktestci.worker.qemu.VmDisks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One iteration's VM for the {@code qemu} runner: resolves the kernel and its modules, writes the initramfs and
 * the scratch disks into {@code ktest-tmp/}, and assembles the qemu command — the busybox VM of
 * ktest-interface.md §6.3, or, when the worker has a root image, the ktest-like VM of §6.4.
 */
final class QemuLaunch {
    /** The job's kernel could not be resolved (infra failure {@code no_kernel}). */
    static final class NoKernel extends Exception {
        NoKernel(String message) {
            super(message);
        }
    }

    /** The root image is missing or unreadable (infra failure {@code no_root_image}: the host's fault). */
    static final class NoRootImage extends Exception {
        NoRootImage(String message) {
            super(message);
        }
    }

    /** The command, and the images it boots (part of the run info every verdict carries). */
    record Launch(RunnerCommand command, RunInfo.Images images) {
    }

    private final RunBatch batch;
    private final SlotSettings slot;
    private final QemuSettings q;
    private final Deps deps;
    private final boolean kvm;
    private final Map<String, String> agentEnv;
    private final Consumer<String> agentLog;

    QemuLaunch(RunBatch batch, SlotSettings slot, QemuSettings q, Deps deps, boolean kvm,
               Map<String, String> agentEnv, Consumer<String> agentLog) {
        this.batch = batch;
        this.slot = slot;
        this.q = q;
        this.deps = deps;
        this.kvm = kvm;
        this.agentEnv = agentEnv;
        this.agentLog = agentLog;
    }

    /** Checks the worker's root image before a batch: it must be a readable regular file. */
    static Optional<Path> checkRootImage(QemuSettings q) throws NoRootImage {
        Optional<Path> image = q.effectiveRootImage();
        if (image.isEmpty()) {
            return image;
        }
        Path p = image.get();
        if (!Files.isRegularFile(p)) {
            throw new NoRootImage("root image " + p + " is missing (build it with 'ktest-ci worker "
                    + "build-root-image', or unset worker.root_image)");
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            // A raw ext2/3/4 image has its superblock magic 0xEF53 at byte 1080; anything else would only fail
            // inside the VM, where it would look like the kernel's fault.
            ByteBuffer magic = ByteBuffer.allocate(2);
            ch.read(magic, 1080);
            if (magic.position() < 2 || (magic.get(0) & 0xff) != 0x53 || (magic.get(1) & 0xff) != 0xef) {
                throw new NoRootImage("root image " + p + " is not a raw ext2/ext3/ext4 image (no superblock magic)");
            }
        } catch (IOException e) {
            throw new NoRootImage("root image " + p + " is unreadable: " + e.getMessage());
        }
        return image;
    }

    /** The job's kernel, or worker.qemu_kernel for a job without one. */
    static Optional<KernelImage> kernelImage(RunBatch batch, QemuSettings q) throws IOException {
        if (batch.kernel().isEmpty()) {
            return q.qemuKernel().isEmpty() ? Optional.empty()
                    : new KernelStore(q.kernelStore()).resolve(q.qemuKernel().get().toAbsolutePath().toString(),
                    batch.arch());
        }
        return new KernelStore(q.kernelStore()).resolve(batch.kernel(), batch.arch());
    }

    Launch prepare(Path slotDir, List<String> names) throws IOException, NoKernel, NoRootImage {
        Optional<KernelImage> kernel = kernelImage(batch, q);
        if (kernel.isEmpty()) {
            throw new NoKernel("no kernel image for '" + batch.kernel() + "' (" + batch.arch() + ") in "
                    + q.kernelStore() + (batch.kernel().isEmpty() ? " and worker.qemu_kernel is unset" : ""));
        }
        Optional<Path> rootImage = checkRootImage(q);
        Path tmp = slotDir.resolve("ktest-tmp");
        Path initramfs = tmp.resolve("initramfs.cpio.gz");
        int mem = deps.value("ktest_mem").map(QemuLaunch::mebibytes).orElse(1024);
        int cpus = deps.value("ktest_cpus").map(QemuLaunch::cpus)
                .orElse(Math.min(4, Runtime.getRuntime().availableProcessors()));
        List<String> sizes = deps.values().getOrDefault("ktest_scratch_dev_sizes", List.of());
        List<String> append = deps.values().getOrDefault("ktest_kernel_append", List.of());
        QemuCommand.Machine machine = new QemuCommand.Machine(q.qemuBinary(), batch.arch(), kvm, mem, cpus,
                kernel.get().vmlinuz(), initramfs, tmp, append);
        InitramfsBuilder initramfsBuilder = new InitramfsBuilder(q.busybox(), q.bash());
        List<String> argv;
        Optional<KernelModules> modules;
        MonitorPolicy monitor = MonitorPolicy.none(); // the busybox VM's disks are not hot-pluggable
        if (rootImage.isPresent()) {
            modules = KernelModules.resolve(kernel.get().modules(), kernel.get().version(), q.moduleIndexCache(),
                    InitramfsBuilder.ROOT_IMAGE_VM_MODULES);
            List<Path> scratch = ScratchDevices.create(tmp, sizes, 1); // ktest's vm/dev-<disk number>
            VmDisks disks = VmDisks.of(rootImage.get(), scratch);
            Map<String, String> guestEnv = guestEnv(mem, cpus, disks);
            initramfsBuilder.writeRootImageVm(initramfs, modules,
                    GuestScripts.guestInit(batch.test(), names), GuestScripts.envFile(guestEnv));
            List<QemuCommand.Share> shares = new ArrayList<>(List.of(
                    new QemuCommand.Share("ktest", slot.ktestDir().toAbsolutePath(), true),
                    new QemuCommand.Share("ktest_out", slotDir.resolve("ktest-out").toAbsolutePath(), false)));
            modules.ifPresent(m -> shares.add(new QemuCommand.Share("modules", m.releaseDir().toAbsolutePath(), true)));
            argv = QemuCommand.rootImageVm(machine, disks, shares);
            monitor = disks.monitorPolicy();
        } else {
            modules = KernelModules.resolve(kernel.get().modules(), kernel.get().version(), q.moduleIndexCache(),
                    InitramfsBuilder.BUSYBOX_VM_MODULES);
            List<Path> scratch = ScratchDevices.create(tmp, sizes, 0);
            initramfsBuilder.writeBusyboxVm(initramfs, slot.ktestDir(), batch.test(), names,
                    new TreeMap<>(batch.env()), modules);
            argv = QemuCommand.initramfsVm(machine, scratch);
        }
        agentLog.accept("qemu: " + String.join(" ", argv));
        String initramfsDigest = sha256(initramfs);
        String revision = KtestRevision.of(slot.ktestDir());
        String modulesNote = modules.map(m -> m.loadOrder().size() + " modules loaded at boot from " + m.releaseDir()
                + (m.generatedIndex() ? " (index generated by depmod into " + m.indexDir() + ")" : ""))
                .orElse("no module tree");
        agentLog.accept("kernel: id=" + kernel.get().id() + " version=" + kernel.get().version() + " image="
                + kernel.get().vmlinuz() + "; " + modulesNote + "; initramfs sha256=" + initramfsDigest
                + rootImage.map(r -> "; root image " + r).orElse("; busybox userspace") + "; test revision="
                + revision);
        RunInfo.Images images = new RunInfo.Images(kernel.get().id(), kernel.get().version(),
                kernel.get().vmlinuz().toString(), RunInfos.sha256(kernel.get().vmlinuz()), initramfsDigest, "", "");
        if (rootImage.isPresent()) {
            images = images.withRootImage(rootImage.get().toString(), RunInfos.sha256(rootImage.get()));
        }
        Map<String, String> env = RunnerCommand.baseEnv(agentEnv, slotDir, Map.of());
        env.put("TMPDIR", tmp.toString()); // qemu's snapshot=on overlay goes here and is deleted with ktest-tmp
        return new Launch(new RunnerCommand(argv, slotDir, env, false, monitor), images);
    }

    /**
     * What ktest's testrunner exports to a test (ktest-interface.md §6.4 item 4): the group's {@code ktest_*}
     * pairs, the VM's size, and the scratch-device bookkeeping {@code prelude.sh} reads to hot-plug disks.
     */
    private Map<String, String> guestEnv(int mem, int cpus, VmDisks disks) {
        Map<String, String> env = new TreeMap<>();
        env.put("ktest_interactive", "false");
        env.put("ktest_failfast", "false");
        env.put("ktest_verbose", "false");
        env.put("ktest_priority", "0");
        env.put("ktest_arch", batch.arch());
        env.put("ktest_cpus", Integer.toString(cpus));
        env.put("ktest_mem", Integer.toString(mem));
        deps.timeoutSeconds().ifPresent(t -> env.put("ktest_timeout", Long.toString(t)));
        env.put("ktest_storage_bus", "virtio-blk");
        env.put("ktest_scratch_dev_base", Integer.toString(disks.scratchBase()));
        env.put("ktest_qemu_drives", String.join("\n", disks.drives()));
        env.put("ktest_qemu_devices", String.join("\n", disks.devices()));
        batch.env().forEach((k, v) -> {
            if (k.matches("^[A-Za-z_][A-Za-z0-9_]*$")) {
                env.put(k, v);
            }
        });
        return env;
    }

    static int mebibytes(String size) {
        String s = size.trim().toUpperCase(Locale.ROOT);
        try {
            long n = Long.parseLong(s.replaceAll("[KMGT]I?B?$", ""));
            if (s.matches(".*GI?B?$")) {
                n *= 1024;
            } else if (s.matches(".*TI?B?$")) {
                n *= 1024 * 1024;
            } else if (s.matches(".*KI?B?$")) {
                n /= 1024;
            }
            // ktest's deps print ktest_mem=0 when the test sets no size
            return n <= 0 ? 1024 : (int) Math.min(1 << 20, Math.max(64, n));
        } catch (NumberFormatException e) {
            return 1024;
        }
    }

    private static int cpus(String value) {
        try {
            return Math.max(1, Math.min(64, Integer.parseInt(value.trim())));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
