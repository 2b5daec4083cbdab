package org.ktestci.worker.qemu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel-store ids as ktest uses them (ktest-interface.md §6.3): {@code <distro>/<release>} resolves to
 * {@code <store>/<distro>/<release>/<arch>/<version>/vmlinuz}, the highest version in natural order; an id
 * already ending in {@code /<arch>} skips that level; an absolute path is used as is.
 */
public final class KernelStore {
    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

    private final Path root;

    public KernelStore(Path root) {
        this.root = root;
    }

    public Optional<KernelImage> resolve(String kernel, String arch) throws IOException {
        if (kernel.startsWith("/")) {
            Path image = Path.of(kernel);
            return Files.isRegularFile(image)
                    ? Optional.of(new KernelImage(image, kernel, "", Optional.empty(), Optional.empty()))
                    : Optional.empty();
        }
        Path base = root.resolve(kernel).normalize();
        if (!base.startsWith(root.normalize())) {
            return Optional.empty();
        }
        Path archDir = kernel.endsWith("/" + arch) ? base : base.resolve(arch);
        if (!Files.isDirectory(archDir)) {
            return Optional.empty();
        }
        List<Path> versions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(archDir)) {
            for (Path v : entries) {
                if (Files.isRegularFile(v.resolve("vmlinuz"))) {
                    versions.add(v);
                }
            }
        }
        return versions.stream().max(Comparator.comparing(p -> p.getFileName().toString(), KernelStore::natural))
                .map(v -> new KernelImage(v.resolve("vmlinuz"), kernel, v.getFileName().toString(),
                        Optional.of(v.resolve("initramfs")).filter(Files::isRegularFile),
                        Optional.of(v.resolve("lib/modules")).filter(Files::isDirectory)));
    }

    /** Natural version order: digit runs compare as numbers ({@code 6.10} after {@code 6.9}). */
    static int natural(String a, String b) {
        Matcher ma = CHUNK.matcher(a);
        Matcher mb = CHUNK.matcher(b);
        while (ma.find() && mb.find()) {
            String x = ma.group();
            String y = mb.group();
            int c;
            if (Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))) {
                c = new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y));
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
