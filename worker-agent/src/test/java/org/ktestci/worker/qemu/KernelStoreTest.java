package org.ktestci.worker.qemu;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelStoreTest {
    @TempDir
    Path dir;

    private void kernel(String rel) throws IOException {
        Path p = dir.resolve(rel).resolve("vmlinuz");
        Files.createDirectories(p.getParent());
        Files.writeString(p, "image " + rel);
    }

    @Test
    void resolvesTheNewestVersionInNaturalOrder() throws Exception {
        kernel("debian/bookworm/x86_64/6.1.9");
        kernel("debian/bookworm/x86_64/6.1.10");
        kernel("debian/bookworm/aarch64/6.1.2");
        KernelStore store = new KernelStore(dir);
        KernelImage k = store.resolve("debian/bookworm", "x86_64").orElseThrow();
        assertEquals("6.1.10", k.version(), "6.1.10 is newer than 6.1.9");
        assertEquals(dir.resolve("debian/bookworm/x86_64/6.1.10/vmlinuz"), k.vmlinuz());
        assertEquals("6.1.2", store.resolve("debian/bookworm/aarch64", "aarch64").orElseThrow().version(),
                "an id ending in the arch skips that level");
        assertTrue(store.resolve("debian/trixie", "x86_64").isEmpty());
        assertTrue(store.resolve("../../etc", "x86_64").isEmpty(), "ids cannot leave the store");
        assertTrue(KernelStore.natural("6.10.0-rc1", "6.9.12") > 0);
    }

    @Test
    void readsKtestsDebianArchNamesAndTheOlderLayoutAlike() throws Exception {
        kernel("debian/bookworm/amd64/6.1.0-57-amd64");
        kernel("fedora/41/x86_64/6.11.4");
        kernel("ubuntu/noble/x86_64/6.8.0");
        KernelStore store = new KernelStore(dir);
        assertEquals(dir.resolve("debian/bookworm/amd64/6.1.0-57-amd64/vmlinuz"),
                store.resolve("debian/bookworm", "x86_64").orElseThrow().vmlinuz(), "ktest's -k debian/bookworm layout");
        assertEquals("6.1.0-57-amd64", store.resolve("debian/bookworm/amd64", "x86_64").orElseThrow().version());
        assertEquals("6.11.4", store.resolve("fedora/41", "x86_64").orElseThrow().version(),
                "other distros keep ktest_arch names");
        assertEquals("6.8.0", store.resolve("ubuntu/noble", "x86_64").orElseThrow().version(),
                "stores written by earlier imports (x86_64 for every id) still resolve");
        assertEquals("amd64", KernelStore.storeArch("debian/bookworm", "x86_64"));
        assertEquals("arm64", KernelStore.storeArch("ubuntu/noble", "aarch64"));
        assertEquals("x86_64", KernelStore.storeArch("upstream/stable", "x86_64"));
    }

    @Test
    void anAbsolutePathIsAKtestKernelDirectoryOrAnImageWithItsModulesBeside() throws Exception {
        kernel("kdir");
        Files.createDirectories(dir.resolve("kdir/lib/modules/6.1.0"));
        KernelImage d = new KernelStore(dir.resolve("store")).resolve(dir.resolve("kdir").toString(), "x86_64")
                .orElseThrow();
        assertEquals(dir.resolve("kdir/vmlinuz"), d.vmlinuz());
        assertEquals(Optional.of(dir.resolve("kdir/lib/modules")), d.modules());
        Path image = dir.resolve("deb/boot/vmlinuz-6.1.0-57-amd64");
        Files.createDirectories(image.getParent());
        Files.writeString(image, "image");
        Files.createDirectories(dir.resolve("deb/lib/modules/6.1.0-57-amd64"));
        KernelImage f = new KernelStore(dir.resolve("store")).resolve(image.toString(), "x86_64").orElseThrow();
        assertEquals("6.1.0-57-amd64", f.version());
        assertEquals(Optional.of(dir.resolve("deb/lib/modules")), f.modules(),
                "a dpkg-deb -x tree keeps boot/ and lib/modules side by side");
        assertTrue(new KernelStore(dir).resolve(dir.resolve("nothing").toString(), "x86_64").isEmpty());
    }

    @Test
    void writesANewcArchiveTheKernelCanUnpack() throws Exception {
        Path ktest = dir.resolve("ktest");
        Files.createDirectories(ktest.resolve("tests/fs"));
        Files.writeString(ktest.resolve("tests/fs/t.ktest"), "#!/bin/bash\n");
        Path initramfs = dir.resolve("initramfs.cpio.gz");
        new InitramfsBuilder(Path.of("/bin/busybox"), Path.of("/bin/bash")).writeBusyboxVm(initramfs, ktest,
                "fs/t.ktest", List.of("a", "b/c"), Map.of("ktest_x", "1"), Optional.empty());
        // The archive is checked with the reference tool: CI installs it (.ci/run), so there its absence fails.
        boolean haveCpio = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "cpio")));
        if (!haveCpio && System.getenv("CI") != null) {
            Assertions.fail("cpio (Debian package cpio) is required in CI");
        }
        Assumptions.assumeTrue(haveCpio, "cpio not installed");
        Process p = new ProcessBuilder("sh", "-c", "gzip -dc '" + initramfs + "' | cpio -it").redirectErrorStream(true)
                .start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        for (String entry : List.of("init", "ktest-env", "bin/busybox", "bin/sh", "bin/bash", "ktest/tests/fs/t.ktest",
                "lib64/ld-linux-x86-64.so.2", "proc", "dev")) {
            assertTrue(listing.lines().anyMatch(l -> l.equals(entry)), entry + " in\n" + listing);
        }
        String init = InitramfsBuilder.init("fs/t.ktest", List.of("a", "b/c"), List.of("kernel/virtio.ko"));
        assertTrue(init.contains("insmod /modules/kernel/virtio.ko"), init);
        assertTrue(init.contains("bash /ktest/tests/fs/t.ktest run-tests a b/c"), init);
        assertTrue(init.contains("poweroff -f"));
        assertEquals("export ktest_x='it'\\''s'\n", GuestScripts.envFile(Map.of("ktest_x", "it's")));
        try (var in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(initramfs)))) {
            assertEquals("070701", new String(in.readNBytes(6), StandardCharsets.US_ASCII), "newc magic");
        }
    }

    @Test
    void buildsTheQemuCommandLineOfTheSpec() {
        List<String> a = QemuCommand.initramfsVm(new QemuCommand.Machine("qemu-system-aarch64", "aarch64", false, 2048,
                2, Path.of("/k"), Path.of("/i"), Path.of("/t"), List.of("nokaslr", "console=hvc0", "loglevel=7")),
                List.of(Path.of("/t/dev-0")));
        assertEquals(List.of("qemu-system-aarch64", "-nodefaults", "-display", "none", "-no-reboot", "-machine",
                "virt,gic-version=max", "-accel", "tcg", "-cpu", "max", "-m", "2048M", "-smp", "2", "-kernel", "/k",
                "-initrd", "/i", "-append", "console=ttyAMA0 panic=-1 rdinit=/init quiet nokaslr loglevel=7", "-serial", "stdio",
                "-monitor", "unix:/t/mon,server,nowait", "-device", "virtio-rng-pci", "-sandbox",
                "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-drive",
                "file=/t/dev-0,format=raw,if=none,id=d0,cache=unsafe", "-device", "virtio-blk-pci,drive=d0"), a);
    }

    @Test
    void buildsTheRootImageCommandLineAsKtestAttachesDisks() {
        VmDisks disks = VmDisks.of(Path.of("/img/root,x86_64"), List.of(Path.of("/t/dev-1"), Path.of("/t/dev-2")));
        List<String> a = QemuCommand.rootImageVm(new QemuCommand.Machine("qemu-system-x86_64", "x86_64", true, 512, 1,
                Path.of("/k"), Path.of("/i"), Path.of("/t"), List.of("console=hvc0")), disks,
                List.of(new QemuCommand.Share("ktest", Path.of("/ktest"), true),
                        new QemuCommand.Share("ktest_out", Path.of("/s/ktest-out"), false)));
        String line = String.join(" ", a);
        assertTrue(line.contains("-machine q35 -accel kvm -cpu host -m 512M -smp 1"), line);
        assertTrue(line.contains("-append console=ttyS0 panic=-1 rdinit=/init quiet root=/dev/vda rw log_buf_len=8M "
                + "mitigations=off -serial"), "our console, not the test's hvc0: " + line);
        assertTrue(line.contains("-device pcie-root-port,id=rp.blk0,bus=pcie.0,slot=8,chassis=8 "
                + "-device pcie-pci-bridge,id=pci.blk0,bus=rp.blk0"), line);
        assertTrue(line.contains("-drive if=none,format=raw,id=disk0,file=/img/root,,x86_64,snapshot=on "
                + "-device virtio-blk-pci,drive=disk0,id=dev0"), "the root is vda, never written; commas escaped: " + line);
        assertTrue(line.contains("-drive if=none,format=raw,id=disk2,file=/t/dev-2,cache=unsafe "
                + "-device virtio-blk-pci,drive=disk2,bus=pci.blk0,addr=0x2,id=dev2"), line);
        assertTrue(line.contains("-fsdev local,id=fs0,path=/ktest,security_model=none,readonly=on "
                + "-device virtio-9p-pci,fsdev=fs0,mount_tag=ktest"), line);
        assertTrue(line.contains("-fsdev local,id=fs1,path=/s/ktest-out,security_model=none "
                + "-device virtio-9p-pci,fsdev=fs1,mount_tag=ktest_out"), line);
        assertEquals(List.of("virtio-blk-pci,drive=disk0,id=dev0",
                "virtio-blk-pci,drive=disk1,bus=pci.blk0,addr=0x1,id=dev1",
                "virtio-blk-pci,drive=disk2,bus=pci.blk0,addr=0x2,id=dev2"), disks.devices(), "ktest_qemu_devices");
        assertTrue(VmDisks.scratchDevice(32).contains("bus=pci.blk1,addr=0x1,"), "31 disks a bridge, as ktest");
    }

    @Test
    void scratchDevicesAreSparseFilesOfTheDeclaredSizes() throws Exception {
        assertEquals(1L << 30, ScratchDevices.parseSize("1G"));
        assertEquals(512L << 20, ScratchDevices.parseSize("512MiB"));
        assertEquals(4096, ScratchDevices.parseSize("4096"));
        List<Path> devs = ScratchDevices.create(dir, List.of("2G", "16M"), 0);
        assertEquals(List.of(dir.resolve("dev-0"), dir.resolve("dev-1")), devs);
        assertEquals(2L << 30, Files.size(devs.get(0)));
        Process stat = new ProcessBuilder("stat", "-c", "%b", devs.get(0).toString()).start();
        long allocatedBlocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
        assertTrue(allocatedBlocks < 1024, "sparse: " + allocatedBlocks + " blocks allocated for 2 GiB");
        Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScratchDevices.parseSize("lots"));
    }

    @Test
    void importsADebianKernelPackageIntoTheStore() throws Exception {
        String kernel = System.getenv("KTEST_CI_TEST_KERNEL"); // <dir>/x/boot/vmlinuz-*, unpacked from <dir>/*.deb
        Path debDir = kernel == null ? null : Path.of(kernel).getParent().getParent().getParent();
        Path deb = null;
        if (debDir != null && Files.isDirectory(debDir)) {
            try (var s = Files.list(debDir)) {
                deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElse(null);
            }
        }
        if (deb == null && System.getenv("CI") != null) {
            Assertions.fail("CI must provide the linux-image package next to KTEST_CI_TEST_KERNEL");
        }
        Assumptions.assumeTrue(deb != null, "no linux-image package here");
        KernelImport.Imported imported = KernelImport.importDeb(deb, dir.resolve("store"), "debian/bookworm", "x86_64");
        assertTrue(imported.versionDir().startsWith(dir.resolve("store/debian/bookworm/amd64")),
                "written where ktest's -k debian/bookworm looks: " + imported.versionDir());
        assertTrue(imported.indexed(), "depmod wrote the modules.dep the package lacks: " + imported.note());
        KernelImage k = new KernelStore(dir.resolve("store")).resolve("debian/bookworm", "x86_64").orElseThrow();
        assertEquals(imported.versionDir().resolve("vmlinuz"), k.vmlinuz());
        assertTrue(k.modules().isPresent(), "the module tree comes along");
        KernelModules m = KernelModules.resolve(k.modules(), k.version(), dir.resolve("cache"),
                InitramfsBuilder.ROOT_IMAGE_VM_MODULES).orElseThrow();
        assertTrue(!m.generatedIndex(), "the store's own index is used");
        for (String wanted : List.of("virtio_blk.ko", "ext4.ko", "jbd2.ko", "9p.ko", "9pnet_virtio.ko")) {
            assertTrue(m.loadOrder().stream().anyMatch(p -> p.endsWith("/" + wanted)), wanted + " in " + m.loadOrder());
        }
        assertTrue(m.loadOrder().indexOf(m.loadOrder().stream().filter(p -> p.endsWith("/jbd2.ko")).findFirst()
                .orElseThrow()) < m.loadOrder().indexOf(m.loadOrder().stream().filter(p -> p.endsWith("/ext4.ko"))
                .findFirst().orElseThrow()), "dependencies first: " + m.loadOrder());
    }
}
