package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;
import org.ktestci.worker.qemu.VmDisks;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The QEMU_MONITOR allow-list: exactly what ktest's prelude.sh sends for this run's scratch disks. */
class MonitorPolicyTest {
    final VmDisks disks = VmDisks.of(Path.of("/img/root.x86_64"),
            List.of(Path.of("/work/slot-0/ktest-tmp/dev-1"), Path.of("/work/slot-0/ktest-tmp/dev-2")));
    final MonitorPolicy policy = disks.monitorPolicy();

    private void allowed(String cmd) {
        assertEquals(new MonitorPolicy.Allowed(cmd), policy.check(cmd), cmd);
    }

    private void refused(String cmd, String because) {
        MonitorPolicy.Decision d = policy.check(cmd);
        assertInstanceOf(MonitorPolicy.Refused.class, d, cmd);
        assertTrue(((MonitorPolicy.Refused) d).reason().contains(because), cmd + ": " + d);
    }

    @Test
    void allowsWhatScratchDevUnplugAndPlugSend() {
        // prelude.sh: device_del $id; then drive_add 0 "$drive" / device_add "$spec" with ids renamed p$gen
        allowed("device_del dev1");
        allowed("device_del dev2p3");
        allowed("drive_add 0 if=none,format=raw,id=disk1p1,file=/work/slot-0/ktest-tmp/dev-1,cache=unsafe");
        allowed("drive_add 0 if=none,format=raw,id=disk2,file=/work/slot-0/ktest-tmp/dev-2,cache=unsafe");
        allowed("device_add virtio-blk-pci,drive=disk1p1,bus=pci.blk0,addr=0x1,id=dev1p1");
        allowed("device_add virtio-blk-pci,drive=disk2p12,bus=pci.blk0,addr=0x2,id=dev2p12");
        allowed("device_add virtio-blk-pci,drive=disk2,id=dev2"); // prelude's own comment's example
    }

    @Test
    void refusesWhatWouldReachTheHost() {
        refused("pmemsave 0 4096 \"/home/worker/.ssh/authorized_keys\"", "not a scratch-device hot-plug command");
        refused("migrate \"exec:touch /tmp/owned\"", "not a scratch-device hot-plug command");
        refused("dump-guest-memory /tmp/x", "not a scratch-device hot-plug command");
        refused("screendump /tmp/x.ppm", "not a scratch-device hot-plug command");
        refused("chardev-add socket,id=c,path=/run/x", "not a scratch-device hot-plug command");
        refused("drive_add 0 if=none,format=raw,id=stolen,file=/etc/shadow", "only this run's scratch drives");
        refused("drive_add 0 if=none,format=raw,id=disk1p9,file=/etc/shadow,cache=unsafe",
                "only this run's scratch drives");
        refused("drive_add 0 if=none,format=raw,id=disk1p1,file=/work/slot-0/ktest-tmp/dev-1,cache=unsafe,"
                + "file.driver=host_device", "only this run's scratch drives");
        refused("drive_add 0 if=none,format=qcow2,id=disk1,file=/work/slot-0/ktest-tmp/dev-1,cache=unsafe",
                "only this run's scratch drives");
        refused("drive_add 1 if=none,format=raw,id=disk1,file=/work/slot-0/ktest-tmp/dev-1,cache=unsafe",
                "expected 'drive_add 0");
        refused("device_del dev0", "not a scratch disk");
        refused("device_del dev9", "not a scratch disk");
        refused("device_del dev1; quit", "expected 'device_del");
        refused("device_add virtio-blk-pci,drive=disk0,id=dev0", "not a scratch disk");
        refused("device_add virtio-blk-pci,drive=disk1,id=dev2", "of one scratch disk");
        refused("device_add virtio-blk-pci,drive=stolen,id=stolen0", "of one scratch disk");
        refused("device_add virtio-net-pci,drive=disk1,id=dev1", "own device type");
        refused("device_add virtio-blk-pci,drive=disk1,bus=pcie.0,id=dev1", "own device type, bus");
        refused("device_add virtio-blk-pci,drive=disk1,id=dev1,serial=x", "property 'serial' is not relayed");
        refused("device_add virtio-blk-pci,drive=disk1,,file=/etc/shadow,id=dev1", "one plain");
        refused("quit", "not a scratch-device hot-plug command");
        refused("", "not a scratch-device hot-plug command");
    }

    @Test
    void aVmWithoutHotPluggableDisksRelaysNothing() {
        MonitorPolicy.Decision d = MonitorPolicy.none().check("device_del dev1");
        assertTrue(d instanceof MonitorPolicy.Refused r && r.reason().contains("no hot-pluggable scratch disks"));
    }

    @Test
    void ktestsOwnVmGetsTheSameRulesForItsScratchFiles() {
        MonitorPolicy k = VmDisks.ktestScratchPolicy(Path.of("/w/slot-0/ktest-out"), 1, 1);
        assertEquals(new MonitorPolicy.Allowed("device_del dev2"), k.check("device_del dev2"),
                "one image before the scratch disk: it is disk 2");
        assertInstanceOf(MonitorPolicy.Allowed.class,
                k.check("drive_add 0 if=none,format=raw,id=disk2p1,file=/w/slot-0/ktest-out/vm/dev-2,cache=unsafe"));
        assertInstanceOf(MonitorPolicy.Refused.class, k.check("device_del dev1"), "the image is not hot-pluggable");
    }
}
