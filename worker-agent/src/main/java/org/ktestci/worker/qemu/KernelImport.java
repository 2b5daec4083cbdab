package org.ktestci.worker.qemu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Imports a Debian {@code linux-image-*} package into a kernel store as
 * {@code <store>/<id>/<arch>/<version>/vmlinuz} plus the virtio modules a test VM may need (scratch disks), so
 * {@code kernels = ["<id>"]} can boot it. Unpacks with {@code dpkg-deb -x}; nothing is installed on the host.
 */
public final class KernelImport {
    private KernelImport() {
    }

    /** Returns the imported version directory. */
    public static Path importDeb(Path deb, Path store, String id, String arch) throws IOException, InterruptedException {
        if (!id.matches("^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$")) {
            throw new IOException("kernel id must look like distro/release, got '" + id + "'");
        }
        Path tmp = Files.createTempDirectory("ktest-ci-kernel-");
        try {
            Process p = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), tmp.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("dpkg-deb -x " + deb + " failed: " + out.strip());
            }
            Path vmlinuz = null;
            try (DirectoryStream<Path> boot = Files.newDirectoryStream(tmp.resolve("boot"), "vmlinuz-*")) {
                for (Path v : boot) {
                    vmlinuz = v;
                }
            }
            if (vmlinuz == null) {
                throw new IOException(deb + " contains no boot/vmlinuz-*");
            }
            String version = vmlinuz.getFileName().toString().substring("vmlinuz-".length());
            Path target = store.resolve(id).resolve(arch).resolve(version);
            Files.createDirectories(target);
            Files.copy(vmlinuz, target.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
            copyVirtioModules(tmp.resolve("lib/modules").resolve(version), target.resolve("lib/modules")
                    .resolve(version));
            return target;
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(x);
                }
            }
        }
    }

    private static void copyVirtioModules(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String rel = from.relativize(f).toString();
                boolean wanted = rel.startsWith("modules.") || rel.contains("/virtio");
                if (wanted) {
                    Path dest = to.resolve(rel);
                    Files.createDirectories(dest.getParent());
                    Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
