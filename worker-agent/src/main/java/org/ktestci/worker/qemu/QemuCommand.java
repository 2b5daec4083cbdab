package org.ktestci.worker.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The qemu command lines of the {@code qemu} runner, for x86_64 and aarch64 guests: the busybox initramfs VM of
 * ktest-interface.md §6.3 item 3, and the root-image VM of §6.4 (root disk, scratch disks behind a hot-plug
 * bridge, 9p shares).
 */
public final class QemuCommand {
    /**
     * seccomp for qemu itself: no obsolete calls, no setuid/setgid, no fork/exec (what a {@code migrate "exec:…"}
     * would need), no scheduler or affinity changes. The guest is untrusted; qemu is its last wall.
     */
    public static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";
    private QemuCommand() {
    }

    /** What both kinds of VM share: machine, accelerator, size, kernel and its command line. */
    public record Machine(String qemuBinary, String arch, boolean kvm, int memMib, int cpus, Path kernel,
                          Path initramfs, Path tmpDir, List<String> kernelAppend) {
        boolean x86() {
            return arch.equals("x86_64");
        }
    }

    /** A host directory shared with the guest over 9p under a mount tag. */
    public record Share(String tag, Path hostDir, boolean readOnly) {
    }

    /** §6.3: the busybox initramfs is the whole userspace; scratch disks are plain virtio-blk disks. */
    public static List<String> initramfsVm(Machine m, List<Path> scratchDevices) {
        List<String> a = common(m, "");
        for (int i = 0; i < scratchDevices.size(); i++) {
            a.addAll(List.of("-drive", "file=" + escape(scratchDevices.get(i).toString()) + ",format=raw,if=none,id=d"
                    + i + ",cache=unsafe", "-device", "virtio-blk-pci,drive=d" + i));
        }
        return a;
    }

    /** §6.4: the initramfs only switches to the root image; the ktest tree and ktest-out come over 9p. */
    public static List<String> rootImageVm(Machine m, VmDisks disks, List<Share> shares) {
        List<String> a = common(m, " root=/dev/vda rw log_buf_len=8M mitigations=off");
        a.addAll(disks.qemuArgs());
        for (int i = 0; i < shares.size(); i++) {
            Share s = shares.get(i);
            a.addAll(List.of("-fsdev", "local,id=fs" + i + ",path=" + escape(s.hostDir().toString())
                    + ",security_model=none" + (s.readOnly() ? ",readonly=on" : ""), "-device",
                    "virtio-9p-pci,fsdev=fs" + i + ",mount_tag=" + s.tag()));
        }
        return a;
    }

    private static List<String> common(Machine m, String rootArgs) {
        String append = "console=" + (m.x86() ? "ttyS0" : "ttyAMA0") + " panic=-1 rdinit=/init quiet" + rootArgs
                + testAppend(m.kernelAppend());
        return new ArrayList<>(List.of(m.qemuBinary(), "-nodefaults", "-display", "none", "-no-reboot",
                "-machine", m.x86() ? "q35" : "virt,gic-version=max", "-accel", m.kvm() ? "kvm" : "tcg", "-cpu",
                m.kvm() ? "host" : "max", "-m", m.memMib() + "M", "-smp", Integer.toString(m.cpus()), "-kernel",
                m.kernel().toString(), "-initrd", m.initramfs().toString(), "-append", append, "-serial", "stdio",
                "-monitor", "unix:" + m.tmpDir().resolve("mon") + ",server,nowait", "-device", "virtio-rng-pci",
                "-sandbox", SANDBOX));
    }

    /**
     * The test's {@code require-kernel-append} words. {@code console=} is ours to choose: the markers are read
     * from the serial console, and ktest's {@code kconfig.sh} asks for {@code console=hvc0}, which a distro kernel
     * only has as a module.
     */
    static String testAppend(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (!w.startsWith("console=") && !w.isBlank()) {
                b.append(' ').append(w);
            }
        }
        return b.toString();
    }

    /** qemu's option syntax: a comma inside a value is written twice. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }
}
