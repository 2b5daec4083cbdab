package org.ktestci.worker.qemu;

import java.nio.file.Path;
import java.util.Optional;

/** The worker config the {@code qemu} runner needs ({@code [worker]}, config.md §6.3). */
public record QemuSettings(Path kernelStore, String qemuBinary, Path busybox, Path bash, Optional<Path> qemuKernel,
                           String hostArch) {
}
