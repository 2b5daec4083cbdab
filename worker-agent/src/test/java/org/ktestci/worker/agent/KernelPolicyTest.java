package org.ktestci.worker.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.md §6.3 {@code kernel_paths}: what a job's kernel string may make the worker boot. */
class KernelPolicyTest {
    @TempDir
    Path dir;

    @Test
    void storeIdsResolveInsideTheStore() {
        KernelPolicy p = new KernelPolicy(dir.resolve("store"), List.of(), Optional.empty());
        assertEquals(Optional.empty(), p.problem("debian/bookworm"));
        assertEquals(Optional.empty(), p.problem(""));
    }

    @Test
    void absolutePathsOnlyUnderKernelPathsOrTheWorkersOwnKernel() throws Exception {
        Path kernels = Files.createDirectories(dir.resolve("kernels"));
        Path inside = Files.writeString(kernels.resolve("vmlinuz"), "k");
        Path own = Files.writeString(dir.resolve("own-vmlinuz"), "k");
        Path outside = Files.writeString(dir.resolve("elsewhere"), "k");
        KernelPolicy p = new KernelPolicy(dir.resolve("store"), List.of(kernels), Optional.of(own));
        assertEquals(Optional.empty(), p.problem(inside.toString()));
        assertEquals(Optional.empty(), p.problem(own.toString()), "worker.qemu_kernel is always allowed");
        assertTrue(p.problem(outside.toString()).orElseThrow().contains("not under worker.kernel_paths"));
        assertTrue(p.problem(kernels.toString()).isPresent(), "the directory itself is no image");
        assertEquals(Optional.empty(), p.problem(kernels.resolve("not-there").toString()),
                "an absent image under kernel_paths is the runner's no_kernel, not a policy refusal");
    }

    @Test
    void aSymlinkUnderKernelPathsMustNotLeadOutOfThem() throws Exception {
        Path kernels = Files.createDirectories(dir.resolve("kernels"));
        Path secret = Files.writeString(dir.resolve("secret"), "s");
        Path link = Files.createSymbolicLink(kernels.resolve("vmlinuz"), secret);
        KernelPolicy p = new KernelPolicy(dir.resolve("store"), List.of(kernels), Optional.empty());
        assertTrue(p.problem(link.toString()).orElseThrow().contains("outside worker.kernel_paths"));
    }

    @Test
    void withoutKernelPathsNoAbsolutePathIsBooted() {
        KernelPolicy p = new KernelPolicy(dir.resolve("store"), List.of(), Optional.empty());
        assertTrue(p.problem("/boot/vmlinuz").isPresent());
    }
}
