package org.ktestci.worker.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The qemu command line of ktest-interface.md §6.3 item 3, for x86_64 and aarch64 guests. */
public final class QemuCommand {
    private QemuCommand() {
    }

    /** {@code kernelAppend}: the test's {@code config-append} words ({@code ktest_kernel_append} from deps). */
    public static List<String> argv(String qemuBinary, String arch, boolean kvm, int memMib, int cpus, Path kernel,
                                    Path initramfs, Path tmpDir, List<Path> scratchDevices, List<String> kernelAppend) {
        String append = "console=" + (arch.equals("x86_64") ? "ttyS0" : "ttyAMA0") + " panic=-1 rdinit=/init quiet"
                + (kernelAppend.isEmpty() ? "" : " " + String.join(" ", kernelAppend));
        boolean x86 = arch.equals("x86_64");
        List<String> a = new ArrayList<>(List.of(qemuBinary, "-nodefaults", "-display", "none", "-no-reboot",
                "-machine", x86 ? "q35" : "virt,gic-version=max", "-accel", kvm ? "kvm" : "tcg", "-cpu",
                kvm ? "host" : "max", "-m", memMib + "M", "-smp", Integer.toString(cpus), "-kernel",
                kernel.toString(), "-initrd", initramfs.toString(), "-append", append, "-serial", "stdio",
                "-monitor", "unix:" + tmpDir.resolve("mon") + ",server,nowait", "-device", "virtio-rng-pci"));
        for (int i = 0; i < scratchDevices.size(); i++) {
            a.addAll(List.of("-drive", "file=" + scratchDevices.get(i) + ",format=raw,if=none,id=d" + i
                    + ",cache=unsafe", "-device", "virtio-blk-pci,drive=d" + i));
        }
        return a;
    }
}
