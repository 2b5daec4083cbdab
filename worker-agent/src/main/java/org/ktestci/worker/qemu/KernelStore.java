package org.ktestci.worker.qemu;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel-store ids as ktest uses them (ktest-interface.md §6.3 item 1): {@code <distro>/<release>} resolves to
 * {@code <store>/<distro>/<release>/<arch>/<version>/vmlinuz}, the highest version in natural order; an id
 * already ending in {@code /<arch>} skips that level.
 *
 * <p>The arch level is named two ways in the wild: ktest's {@code resolve_kernel_name} looks under Debian's names
 * ({@code amd64}, {@code arm64}) for {@code debian/*} and {@code ubuntu/*} ids and under {@code x86_64}/{@code
 * aarch64} for the rest, while earlier ktest-ci imports wrote {@code x86_64} for every id. Both are accepted,
 * ktest's first; {@link KernelImport} writes ktest's, so one store serves ktest's CLI and the {@code qemu} runner.
 *
 * <p>An absolute path is used as is: a ktest kernel directory ({@code vmlinuz}, optional {@code initramfs} and
 * {@code lib/modules}) or an image file, whose modules are looked for in {@code lib/modules} beside it or one
 * level up (a {@code dpkg-deb -x} tree: {@code boot/vmlinuz-*} and {@code lib/modules}).
 */
public final class KernelStore {
    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

    private final Path root;

    public KernelStore(Path root) {
        this.root = root;
    }

    public Optional<KernelImage> resolve(String kernel, String arch) throws IOException {
        if (kernel.startsWith("/")) {
            return absolute(Path.of(kernel));
        }
        Path base = root.resolve(kernel).normalize();
        if (!base.startsWith(root.normalize()) || base.equals(root.normalize())) {
            return Optional.empty();
        }
        for (Path archDir : archDirs(kernel, base, arch)) {
            Optional<Path> newest = newestVersion(archDir);
            if (newest.isPresent()) {
                Path v = newest.get();
                return Optional.of(new KernelImage(v.resolve("vmlinuz"), kernel, v.getFileName().toString(),
                        Optional.of(v.resolve("initramfs")).filter(Files::isRegularFile),
                        Optional.of(v.resolve("lib/modules")).filter(Files::isDirectory)));
            }
        }
        return Optional.empty();
    }

    /** ktest's name for the arch level of an id ({@code debian/bookworm} on x86_64 → {@code amd64}). */
    public static String storeArch(String kernelId, String arch) {
        String distro = kernelId.contains("/") ? kernelId.substring(0, kernelId.indexOf('/')) : kernelId;
        boolean debianNames = distro.equals("debian") || distro.equals("ubuntu");
        return debianNames ? debianArch(arch) : arch;
    }

    static String debianArch(String arch) {
        return switch (arch) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    private static List<Path> archDirs(String kernel, Path base, String arch) {
        Set<String> names = new LinkedHashSet<>(List.of(storeArch(kernel, arch), arch, debianArch(arch)));
        for (String n : names) {
            if (kernel.endsWith("/" + n)) {
                return List.of(base);
            }
        }
        return names.stream().map(base::resolve).filter(Files::isDirectory).toList();
    }

    private static Optional<Path> newestVersion(Path archDir) throws IOException {
        List<Path> versions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(archDir)) {
            for (Path v : entries) {
                if (Files.isRegularFile(v.resolve("vmlinuz"))) {
                    versions.add(v);
                }
            }
        }
        return versions.stream().max(Comparator.comparing(p -> p.getFileName().toString(), KernelStore::natural));
    }

    private static Optional<KernelImage> absolute(Path path) {
        if (Files.isDirectory(path)) {
            Path image = path.resolve("vmlinuz");
            if (!Files.isRegularFile(image)) {
                return Optional.empty();
            }
            return Optional.of(new KernelImage(image, path.toString(), "",
                    Optional.of(path.resolve("initramfs")).filter(Files::isRegularFile),
                    Optional.of(path.resolve("lib/modules")).filter(Files::isDirectory)));
        }
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        Path parent = path.toAbsolutePath().getParent();
        Optional<Path> modules = Optional.of(parent.resolve("lib/modules")).filter(Files::isDirectory);
        if (modules.isEmpty() && parent.getParent() != null) {
            modules = Optional.of(parent.getParent().resolve("lib/modules")).filter(Files::isDirectory);
        }
        String name = path.getFileName().toString();
        String version = name.startsWith("vmlinuz-") ? name.substring("vmlinuz-".length()) : "";
        return Optional.of(new KernelImage(path, path.toString(), version, Optional.empty(), modules));
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
                c = new BigInteger(x).compareTo(new BigInteger(y));
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
