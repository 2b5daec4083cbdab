package org.ktestci.worker.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Imports a Debian {@code linux-image-*} package into a kernel store as ktest lays one out:
 * {@code <store>/<id>/<arch>/<version>/vmlinuz} and {@code …/lib/modules/<version>/}, the package's whole module
 * tree (a distro kernel has virtio-blk, ext4 and 9p as modules), with the {@code modules.dep} the package lacks
 * written by {@code depmod}. The arch level uses ktest's names ({@link KernelStore#storeArch}: {@code amd64} for
 * {@code debian/*} ids), so {@code ktest run -k debian/bookworm} and the {@code qemu} runner read the same entry.
 * Unpacks with {@code dpkg-deb -x}; nothing is installed on the host.
 */
public final class KernelImport {
    private KernelImport() {
    }

    /** What an import made: the version directory and whether its module index is complete. */
    public record Imported(Path versionDir, boolean indexed, String note) {
    }

    public static Imported importDeb(Path deb, Path store, String id, String arch)
            throws IOException, InterruptedException {
        if (!id.matches("^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$") || List.of(id.split("/")).contains("..")
                || List.of(id.split("/")).contains(".")) {
            throw new IOException("kernel id must look like distro/release, got '" + id + "'");
        }
        Path tmp = Files.createTempDirectory("ktest-ci-kernel-");
        try {
            run(List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()), "dpkg-deb -x " + deb);
            Path vmlinuz = null;
            try (DirectoryStream<Path> boot = Files.newDirectoryStream(tmp.resolve("boot"), "vmlinuz-*")) {
                for (Path v : boot) {
                    vmlinuz = v;
                }
            } catch (NoSuchFileException e) {
                vmlinuz = null;
            }
            if (vmlinuz == null) {
                throw new IOException(deb + " contains no boot/vmlinuz-*");
            }
            String version = vmlinuz.getFileName().toString().substring("vmlinuz-".length());
            Path target = store.resolve(id).resolve(KernelStore.storeArch(id, arch)).resolve(version);
            ModuleIndexCache.deleteTree(target);
            Files.createDirectories(target);
            Files.copy(vmlinuz, target.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
            Path modules = tmp.resolve("lib/modules");
            if (!Files.isDirectory(modules)) {
                return new Imported(target, false, "the package has no lib/modules");
            }
            copyTree(modules, target.resolve("lib/modules"));
            try {
                run(List.of(ModuleIndexCache.depmodBinary(), "-b", target.toString(), version), "depmod");
                return new Imported(target, true, "");
            } catch (IOException e) {
                // The worker writes the index into its own cache when it boots the kernel (ModuleIndexCache).
                return new Imported(target, false, "modules.dep not written (" + e.getMessage()
                        + "); each worker will generate it with depmod on first use");
            }
        } finally {
            ModuleIndexCache.deleteTree(tmp);
        }
    }

    private static void run(List<String> argv, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(what + " failed: " + out.strip());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(p -> {
                Path dest = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isSymbolicLink(p)) {
                        // build/source links point into a headers package that is not here
                        return;
                    }
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
