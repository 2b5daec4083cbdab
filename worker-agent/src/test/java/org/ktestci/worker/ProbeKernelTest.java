package org.ktestci.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.config.WorkerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernel the agent-start KVM probe boots: worker.qemu_kernel, else one of the host's arch from the store. */
class ProbeKernelTest {
    @TempDir
    Path dir;

    private WorkerConfig worker(String extra) throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests"));
        Path cfg = Files.writeString(dir.resolve("w.toml"), """
                ci_host = "ci"
                ktest_dir = "ktest"
                [cluster]
                insecure_plaintext = true
                [worker]
                host = "farm1"
                arch = "x86_64"
                kernel_store = "kernels"
                %s
                """.formatted(extra));
        return ConfigLoader.load(cfg, ConfigRole.WORKER).worker();
    }

    private Path kernel(String relative) throws Exception {
        Path k = dir.resolve("kernels").resolve(relative);
        Files.createDirectories(k.getParent());
        return Files.writeString(k, "");
    }

    @Test
    void takesAKernelOfTheHostsArchFromTheStore() throws Exception {
        assertEquals(Optional.empty(), WorkerNode.probeKernel(worker("")), "no store yet");
        kernel("debian/bookworm/arm64/6.1.0-57/vmlinuz");
        assertEquals(Optional.empty(), WorkerNode.probeKernel(worker("")), "another arch's kernel cannot probe KVM");
        Path amd64 = kernel("debian/bookworm/amd64/6.1.0-57/vmlinuz");
        assertEquals(Optional.of(amd64), WorkerNode.probeKernel(worker("")));
    }

    @Test
    void qemuKernelWins() throws Exception {
        kernel("debian/bookworm/amd64/6.1.0-57/vmlinuz");
        Path own = Files.writeString(dir.resolve("vmlinuz"), "");
        assertEquals(Optional.of(own), WorkerNode.probeKernel(worker("qemu_kernel = \"" + own + "\"")));
    }
}
