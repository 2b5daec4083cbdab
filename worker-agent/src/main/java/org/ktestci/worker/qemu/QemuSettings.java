package org.ktestci.worker.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The worker config the {@code qemu} runner needs ({@code [worker]}, config.md §6.3).
 *
 * @param rootImage        {@code worker.root_image}, when set
 * @param defaultRootImage {@code <state_dir>/root.<arch>}, used when it exists and {@code root_image} is unset
 * @param moduleIndexCache where module indexes the kernel store lacks are generated ({@link ModuleIndexCache})
 */
public record QemuSettings(Path kernelStore, String qemuBinary, Path busybox, Path bash, Optional<Path> qemuKernel,
                           String hostArch, Optional<Path> rootImage, Path defaultRootImage, Path moduleIndexCache) {

    /** The root image a batch boots (ktest-interface.md §6.4), or empty for the busybox initramfs of §6.3. */
    public Optional<Path> effectiveRootImage() {
        if (rootImage.isPresent()) {
            return rootImage;
        }
        return Files.exists(defaultRootImage) ? Optional.of(defaultRootImage) : Optional.empty();
    }
}
