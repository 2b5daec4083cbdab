package org.ktestci.worker.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code modules.dep} for a module tree that has none, written by {@code depmod} into the worker's cache rather
 * than into the kernel store (which may be read-only, or shared). The cache entry mirrors the tree with one
 * symlink per entry (depmod follows them), so nothing is copied; entries are keyed by the tree's path and
 * modification time and made under a temporary name, then renamed, so concurrent slots never see half of one.
 */
public final class ModuleIndexCache {
    private ModuleIndexCache() {
    }

    /** Returns the directory holding {@code modules.dep} for {@code releaseDir}, generating it if needed. */
    public static Path ensure(Path releaseDir, Path cacheRoot) throws IOException {
        String release = releaseDir.getFileName().toString();
        Path entry = cacheRoot.resolve(key(releaseDir));
        Path index = entry.resolve("lib/modules").resolve(release);
        if (Files.isRegularFile(index.resolve("modules.dep"))) {
            return index;
        }
        Files.createDirectories(cacheRoot);
        Path tmp = Files.createTempDirectory(cacheRoot, "tmp-");
        try {
            Path mirror = tmp.resolve("lib/modules").resolve(release);
            Files.createDirectories(mirror);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(releaseDir)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (Files.isDirectory(p)) {
                        Files.createSymbolicLink(mirror.resolve(name), p.toAbsolutePath());
                    } else if (name.equals("modules.order") || name.startsWith("modules.builtin")) {
                        Files.copy(p, mirror.resolve(name)); // inputs depmod reads
                    }
                }
            }
            depmod(tmp, release);
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another slot made it first: theirs is as good as ours
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename in " + cacheRoot, e);
            }
            return index;
        } finally {
            deleteTree(tmp);
        }
    }

    private static void depmod(Path base, String release) throws IOException {
        List<String> argv = List.of(depmodBinary(), "-b", base.toString(), release);
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("the kernel's module tree has no modules.dep and depmod (kmod) is not installed"
                    + " on this worker: " + e.getMessage());
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running depmod", e);
        }
    }

    /** depmod lives in /sbin on Debian, which an unprivileged worker's PATH may lack. */
    static String depmodBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "depmod"))) {
                return Path.of(dir, "depmod").toString();
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, "depmod"))) {
                return Path.of(dir, "depmod").toString();
            }
        }
        return "depmod";
    }

    private static String key(Path releaseDir) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(releaseDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            d.update(Long.toString(Files.getLastModifiedTime(releaseDir).toMillis()).getBytes(StandardCharsets.UTF_8));
            return releaseDir.getFileName() + "-" + HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) { // walk does not follow the mirror's symlinks
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
