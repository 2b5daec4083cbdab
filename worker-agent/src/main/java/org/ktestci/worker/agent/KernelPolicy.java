package org.ktestci.worker.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which kernels this worker may boot (config.md §6.3): a kernel-store id only inside {@code kernel_store}, an
 * absolute image path only under one of {@code kernel_paths} (the file itself and what its symlinks lead to),
 * and the worker's own {@code qemu_kernel} always. Anything else ends the batch as {@code no_kernel}, as if the
 * kernel did not exist: a coordinator, or whoever speaks for one, cannot make the worker boot an arbitrary file.
 */
public final class KernelPolicy {
    /** config.md §4 {@code kernels}: store ids and absolute paths; no segment may be {@code .} or {@code ..}. */
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$");
    private static final Pattern ABSOLUTE = Pattern.compile("^(/[A-Za-z0-9._+:-]+)+$");

    private final Path store;
    private final List<Path> kernelPaths;
    private final Optional<Path> qemuKernel;

    public KernelPolicy(Path kernelStore, List<Path> kernelPaths, Optional<Path> qemuKernel) {
        this.store = kernelStore.toAbsolutePath().normalize();
        this.kernelPaths = kernelPaths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.qemuKernel = qemuKernel.map(p -> p.toAbsolutePath().normalize());
    }

    /** Whether {@code kernel} is even a kernel string (config.md §4): otherwise the batch is malformed. */
    public static boolean wellFormed(String kernel) {
        if (kernel == null) {
            return false;
        }
        if (kernel.isEmpty()) {
            return true;
        }
        boolean shape = kernel.startsWith("/") ? ABSOLUTE.matcher(kernel).matches() : ID.matcher(kernel).matches();
        if (!shape) {
            return false;
        }
        for (String segment : kernel.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Why this worker must not boot {@code kernel} (a well-formed kernel string), or empty when it may. */
    public Optional<String> problem(String kernel) {
        if (kernel.isEmpty()) {
            return Optional.empty(); // built from source, or the worker's own qemu_kernel
        }
        if (!kernel.startsWith("/")) {
            Path base = store.resolve(kernel).normalize();
            return base.startsWith(store) && !base.equals(store) ? Optional.empty()
                    : Optional.of("kernel id " + kernel + " does not resolve inside kernel_store " + store);
        }
        Path image = Path.of(kernel).normalize();
        if (qemuKernel.isPresent() && (qemuKernel.get().equals(image) || sameFile(qemuKernel.get(), image))) {
            return Optional.empty();
        }
        List<Path> roots = new ArrayList<>();
        for (Path root : kernelPaths) {
            if (image.startsWith(root) && !image.equals(root)) {
                roots.add(root);
            }
        }
        if (roots.isEmpty()) {
            return Optional.of("kernel image " + kernel + " is not under worker.kernel_paths " + kernelPaths);
        }
        // A symlink under kernel_paths must not lead out of them.
        try {
            if (Files.exists(image)) {
                Path real = image.toRealPath();
                for (Path root : roots) {
                    if (Files.exists(root) && real.startsWith(root.toRealPath())) {
                        return Optional.empty();
                    }
                }
                return Optional.of("kernel image " + kernel + " leads to " + real + ", outside worker.kernel_paths");
            }
        } catch (IOException e) {
            return Optional.of("kernel image " + kernel + " cannot be resolved: " + e.getMessage());
        }
        return Optional.empty(); // absent: the runner reports no_kernel itself
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
