package org.ktestci.worker.qemu;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ModuleIndexTest {
    @TempDir
    Path dir;

    private Path release() throws Exception {
        Path r = dir.resolve("lib/modules/6.1.0-57-amd64");
        Files.createDirectories(r);
        Files.writeString(r.resolve("modules.dep"), """
                kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
                kernel/fs/jbd2/jbd2.ko:
                kernel/fs/mbcache.ko:
                kernel/lib/crc16.ko:
                kernel/arch/x86/crypto/crc32c-intel.ko:
                kernel/crypto/crc32c_generic.ko:
                kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
                kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
                kernel/drivers/virtio/virtio_ring.ko:
                """);
        Files.writeString(r.resolve("modules.softdep"), """
                # Soft dependencies extracted from modules themselves.
                softdep ext4 pre: crypto-crc32c
                softdep jbd2 pre: crypto-crc32c
                """);
        Files.writeString(r.resolve("modules.alias"), """
                alias crypto-crc32c crc32c_intel
                alias crc32c crc32c_intel
                alias crypto-crc32c crc32c_generic
                """);
        Files.writeString(r.resolve("modules.builtin"), "kernel/drivers/virtio/virtio_pci.ko\n");
        return r;
    }

    @Test
    void ordersDependenciesAndSoftDependenciesBeforeTheModule() throws Exception {
        ModuleIndex index = ModuleIndex.read(release());
        List<String> order = index.loadOrder(List.of("virtio_pci", "virtio-blk", "ext4"));
        assertEquals(List.of("kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                "kernel/drivers/block/virtio_blk.ko", "kernel/arch/x86/crypto/crc32c-intel.ko",
                "kernel/crypto/crc32c_generic.ko", "kernel/lib/crc16.ko", "kernel/fs/mbcache.ko",
                "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko"), order,
                "what modprobe --show-depends prints; built-in virtio_pci needs nothing");
        assertTrue(index.has("virtio_pci"));
        assertFalse(index.has("9p"));
        assertEquals(List.of(), index.loadOrder(List.of("9p")), "a module the kernel lacks is left out");
    }

    @Test
    void aTreeWithoutModulesDepIsRefusedByTheReaderAndIndexedIntoTheCache() throws Exception {
        Path r = release();
        Files.delete(r.resolve("modules.dep"));
        assertThrows(IOException.class, () -> ModuleIndex.read(r));
        String kernel = System.getenv("KTEST_CI_TEST_KERNEL");
        Path realTree = kernel == null ? null : Path.of(kernel).getParent().resolveSibling("lib/modules");
        boolean have = realTree != null && Files.isDirectory(realTree)
                && !ModuleIndexCache.depmodBinary().equals("depmod");
        if (!have && System.getenv("CI") != null) {
            fail("CI must provide KTEST_CI_TEST_KERNEL (a dpkg-deb -x tree with lib/modules) and kmod's depmod");
        }
        Assumptions.assumeTrue(have, "no kernel module tree or depmod here");
        // A real tree without an index, as Debian's package ships it: a few real .ko files.
        Path real;
        try (var s = Files.list(realTree)) {
            real = s.findFirst().orElseThrow();
        }
        Path tree = dir.resolve("store/lib/modules").resolve(real.getFileName());
        for (String ko : List.of("kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_ring.ko",
                "kernel/drivers/block/virtio_blk.ko")) {
            Files.createDirectories(tree.resolve(ko).getParent());
            Files.copy(real.resolve(ko), tree.resolve(ko));
        }
        Files.copy(real.resolve("modules.builtin"), tree.resolve("modules.builtin"));
        KernelModules m = KernelModules.resolve(Optional.of(tree.getParent()), "", dir.resolve("cache"),
                List.of("virtio_blk")).orElseThrow();
        assertTrue(m.generatedIndex(), "the index was generated: " + m.indexDir());
        assertTrue(m.indexDir().startsWith(dir.resolve("cache")), "into the worker's cache, not the store");
        assertFalse(Files.exists(tree.resolve("modules.dep")), "the store is left as it was");
        assertEquals(List.of("kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                "kernel/drivers/block/virtio_blk.ko"), m.loadOrder());
        assertTrue(m.indexFiles().contains("modules.dep"), m.indexFiles().toString());
        KernelModules again = KernelModules.resolve(Optional.of(tree.getParent()), "", dir.resolve("cache"),
                List.of("virtio_blk")).orElseThrow();
        assertEquals(m.indexDir(), again.indexDir(), "generated once, then reused");
        try (var s = Files.list(dir.resolve("cache"))) {
            assertEquals(1, s.count(), "no temporary directories left behind");
        }
    }
}
