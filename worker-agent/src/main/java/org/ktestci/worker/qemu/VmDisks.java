package org.ktestci.worker.qemu;

import org.ktestci.worker.console.MonitorPolicy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The disks of a root-image VM, numbered as ktest's {@code start_vm} numbers them (ktest-interface.md §6.4 item
 * 5): disk 0 is the root image ({@code /dev/vda}, {@code snapshot=on}: no run changes it), disks 1… are the
 * scratch devices ({@code /dev/vdb}, … in {@code config-scratch-devs} order) behind PCIe-to-PCI bridges so that
 * {@code prelude.sh}'s {@code scratch_dev_unplug}/{@code scratch_dev_plug} can hot-plug them. Drive ids are
 * {@code disk<N>}, device ids {@code dev<N>}; the same strings go to the guest as {@code ktest_qemu_drives} and
 * {@code ktest_qemu_devices}, one line per disk, and {@code ktest_scratch_dev_base} is 1.
 */
public record VmDisks(List<String> drives, List<String> devices, List<String> bridges, List<Path> scratchFiles) {
    /** A PCI bus holds 31 hot-pluggable slots (SHPC reserves slot 0). */
    private static final int SLOTS_PER_BRIDGE = 31;

    public static VmDisks of(Path rootImage, List<Path> scratch) {
        List<String> drives = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        List<String> bridges = new ArrayList<>();
        drives.add("if=none,format=raw,id=disk0,file=" + QemuCommand.escape(rootImage.toString()) + ",snapshot=on");
        devices.add("virtio-blk-pci,drive=disk0,id=dev0");
        for (int i = 0; i < scratch.size(); i++) {
            int disk = i + 1;
            bridges.addAll(bridgesFor(disk));
            drives.add(scratchDrive(disk, scratch.get(i)));
            devices.add(scratchDevice(disk));
        }
        return new VmDisks(List.copyOf(drives), List.copyOf(devices), List.copyOf(bridges), List.copyOf(scratch));
    }

    /** {@code -drive} of scratch disk {@code disk}, as ktest's {@code qemu_disk} writes it. */
    public static String scratchDrive(int disk, Path file) {
        return "if=none,format=raw,id=disk" + disk + ",file=" + QemuCommand.escape(file.toString()) + ",cache=unsafe";
    }

    /** {@code -device} of a virtio-blk disk past the root: a slot of bridge (disk − 1) / 31, counted from 1. */
    public static String scratchDevice(int disk) {
        int bridge = (disk - 1) / SLOTS_PER_BRIDGE;
        // qemu reads addr as hex: 0x1f is slot 31
        return "virtio-blk-pci,drive=disk" + disk + ",bus=pci.blk" + bridge + ",addr=0x"
                + Integer.toHexString((disk - 1) % SLOTS_PER_BRIDGE + 1) + ",id=dev" + disk;
    }

    private static List<String> bridgesFor(int disk) {
        if ((disk - 1) % SLOTS_PER_BRIDGE != 0) {
            return List.of();
        }
        int bridge = (disk - 1) / SLOTS_PER_BRIDGE;
        return List.of("pcie-root-port,id=rp.blk" + bridge + ",bus=pcie.0,slot=" + (8 + bridge) + ",chassis="
                + (8 + bridge), "pcie-pci-bridge,id=pci.blk" + bridge + ",bus=rp.blk" + bridge);
    }

    /** The qemu arguments: bridges first, then each disk's {@code -drive} and {@code -device}. */
    public List<String> qemuArgs() {
        List<String> a = new ArrayList<>();
        for (String b : bridges) {
            a.add("-device");
            a.add(b);
        }
        for (int i = 0; i < drives.size(); i++) {
            a.addAll(List.of("-drive", drives.get(i), "-device", devices.get(i)));
        }
        return a;
    }

    /** Disk number of the first scratch device ({@code ktest_scratch_dev_base}). */
    public int scratchBase() {
        return 1;
    }

    /** What the guest may hot-plug through the monitor: the scratch disks, never the root. */
    public MonitorPolicy monitorPolicy() {
        List<MonitorPolicy.ScratchDisk> scratch = new ArrayList<>();
        for (int disk = 1; disk < drives.size(); disk++) {
            scratch.add(new MonitorPolicy.ScratchDisk(disk, drives.get(disk), devices.get(disk)));
        }
        return MonitorPolicy.forScratchDisks(scratch);
    }

    /**
     * The scratch disks of a VM that ktest's own {@code start_vm} builds (the {@code ktest} runner): after the
     * root and the test's images, files {@code <ktest_out>/vm/dev-<N>} on the default virtio-blk bus.
     */
    public static MonitorPolicy ktestScratchPolicy(Path ktestOut, int images, int scratchCount) {
        List<MonitorPolicy.ScratchDisk> scratch = new ArrayList<>();
        for (int i = 0; i < scratchCount; i++) {
            int disk = 1 + images + i;
            scratch.add(new MonitorPolicy.ScratchDisk(disk, scratchDrive(disk, ktestOut.resolve("vm/dev-" + disk)),
                    scratchDevice(disk)));
        }
        return scratch.isEmpty() ? MonitorPolicy.none() : MonitorPolicy.forScratchDisks(scratch);
    }
}
