package org.ktestci.worker.qemu;

import java.nio.file.Path;
import java.util.Optional;

/** A bootable kernel: its image, the store id and version it came from, and its modules if the store has them. */
public record KernelImage(Path vmlinuz, String id, String version, Optional<Path> initramfs, Optional<Path> modules) {
}
