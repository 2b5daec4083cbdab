package org.ktestci.worker.qemu;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ktest-ci worker build-root-image} (ktest-interface.md §6.4 item 1): a raw ext4 image of a small Debian
 * userspace for the {@code qemu} runner, built with {@code mmdebstrap} from the host's apt sources (or a given
 * mirror). mmdebstrap runs as root, or unprivileged in a user namespace; the image is made inside its customize
 * hook, where the tree's owners are still right, so both modes give the same image. The image is sparse, like
 * ktest's own (whose 16 GiB root image is mostly holes), and written under a temporary name, then renamed.
 */
public final class RootImageBuilder {
    /**
     * What {@code tests/prelude.sh}, {@code lib/common.sh} and ktest's common tests need beyond minbase: GNU
     * {@code readlink -e}, {@code mktemp --tmpdir}, {@code numfmt}, {@code nproc} (coreutils), {@code dmesg},
     * {@code setpriv}, {@code mount} (util-linux, mount), {@code pkill} (procps), {@code fuser} (psmisc),
     * {@code awk} (gawk), {@code modprobe} (kmod), {@code mkfs.ext4} (e2fsprogs), {@code sfdisk} (fdisk),
     * {@code fio}, {@code ip} (iproute2), {@code useradd} for {@code create_ktest_user} (passwd).
     */
    public static final List<String> DEFAULT_PACKAGES = List.of("bash", "coreutils", "util-linux", "mount", "procps",
            "psmisc", "gawk", "kmod", "e2fsprogs", "fdisk", "fio", "grep", "sed", "findutils", "diffutils", "iproute2",
            "passwd");
    /** Apparent size: the tree plus room for what tests write to the root (runs never change the image itself). */
    public static final long DEFAULT_SIZE_MIB = 2048;

    /** What to build. {@code mirror} empty: the host's apt sources. */
    public record Request(Path out, String arch, String suite, Optional<String> mirror, List<String> extraPackages,
                          long sizeMib) {
    }

    private final PrintStream progress;

    public RootImageBuilder(PrintStream progress) {
        this.progress = progress;
    }

    /** The mmdebstrap command for a request, given the temporary image path and the host's sources file. */
    static List<String> command(Request req, Path tmpImage, Path hook, Optional<Path> hostSources) {
        LinkedHashSet<String> packages = new LinkedHashSet<>(DEFAULT_PACKAGES);
        packages.addAll(req.extraPackages());
        List<String> argv = new ArrayList<>(List.of("mmdebstrap", "--variant=minbase", "--mode=auto", "--format=null",
                "--architectures=" + KernelStore.debianArch(req.arch()), "--include=" + String.join(",", packages),
                // a test VM needs no manuals, docs or translations: a third of the size
                "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-include=/usr/share/doc/*/copyright", "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--customize-hook=sh " + hook + " \"$1\" " + tmpImage + " " + req.sizeMib(),
                req.suite(), "/dev/null"));
        if (req.mirror().isPresent()) {
            argv.add(req.mirror().get());
        } else if (hostSources.isPresent()) {
            argv.add(hostSources.get().toString()); // mmdebstrap pastes an existing file as the sources list
        }
        return argv;
    }

    /**
     * The customize hook: inside mmdebstrap's namespace the tree is owned by root, so the image is made here.
     * {@code /proc}, {@code /sys} and {@code /dev} are mounted in the tree at this point, hence the copy with
     * {@code --one-file-system} first.
     */
    static String hookScript() {
        return """
                #!/bin/sh
                # ktest-ci build-root-image: turn mmdebstrap's tree into an ext4 image. $1 tree, $2 image, $3 MiB.
                set -eu
                tree="$1"; image="$2"; size="$3"
                rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/*.bin "$tree"/var/cache/apt/archives/*.deb
                echo ktest > "$tree/etc/hostname"
                mkdir -p "$tree/ktest" "$tree/ktest-out"
                copy="$image.tree"
                rm -rf "$copy"
                mkdir "$copy"
                cp -a --one-file-system "$tree"/. "$copy"/
                used=$(du -sm "$copy" | cut -f1)
                if [ "$used" -gt $((size - 256)) ]; then
                    echo "build-root-image: the tree is ${used} MiB, too big for a ${size} MiB image; raise --size" >&2
                    rm -rf "$copy"; exit 1
                fi
                rm -f "$image"
                truncate -s "${size}M" "$image"
                PATH="$PATH:/usr/sbin:/sbin" mkfs.ext4 -q -F -L ktest-root -d "$copy" "$image"
                rm -rf "$copy"
                echo "build-root-image: tree ${used} MiB"
                """;
    }

    /** Builds the image; returns the path written. */
    public Path build(Request req) throws IOException, InterruptedException {
        String hostArch = hostArch();
        if (!req.arch().equals(hostArch)) {
            throw new IOException("build-root-image makes an image for this host's arch (" + hostArch + "); build the "
                    + req.arch() + " image on a " + req.arch() + " host");
        }
        requireOnPath("mmdebstrap", "install mmdebstrap (Debian: apt-get install mmdebstrap; NixOS: the mmdebstrap "
                + "package; see docs/operations.md)");
        requireOnPath("mkfs.ext4", "install e2fsprogs");
        Path out = req.out().toAbsolutePath();
        Files.createDirectories(out.getParent());
        Path tmpImage = out.resolveSibling(out.getFileName() + ".new");
        Path hook = Files.createTempFile(out.getParent(), ".build-root-image-", ".sh");
        try {
            Files.writeString(hook, hookScript(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> argv = command(req, tmpImage, hook, hostSources());
            progress.println("build-root-image: " + String.join(" ", argv));
            long start = System.nanoTime();
            Process p = new ProcessBuilder(argv).inheritIO().start();
            if (!p.waitFor(3, TimeUnit.HOURS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("mmdebstrap failed (exit " + (p.isAlive() ? "timeout" : p.exitValue())
                        + "); its output is above");
            }
            if (!Files.isRegularFile(tmpImage)) {
                throw new IOException("mmdebstrap succeeded but wrote no image at " + tmpImage);
            }
            Files.setPosixFilePermissions(tmpImage, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmpImage, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            progress.printf("build-root-image: wrote %s in %d s: %d MiB on disk, %d MiB apparent (sparse)%n", out,
                    seconds, allocatedBytes(out) >> 20, Files.size(out) >> 20);
            return out;
        } finally {
            Files.deleteIfExists(hook);
            Files.deleteIfExists(tmpImage);
            ModuleIndexCache.deleteTree(tmpImage.resolveSibling(tmpImage.getFileName() + ".tree"));
        }
    }

    /** The host's apt sources as mmdebstrap can paste them: deb822 first, then the one-line list. */
    static Optional<Path> hostSources() throws IOException {
        Path deb822 = Path.of("/etc/apt/sources.list.d/debian.sources");
        if (Files.isRegularFile(deb822)) {
            return Optional.of(deb822);
        }
        Path list = Path.of("/etc/apt/sources.list");
        if (Files.isRegularFile(list) && Files.readAllLines(list).stream().anyMatch(l -> l.startsWith("deb "))) {
            return Optional.of(list);
        }
        return Optional.empty();
    }

    /** The host's Debian codename, the suite an image is built from by default; bookworm elsewhere. */
    public static String hostSuite() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("VERSION_CODENAME=") && line.length() > "VERSION_CODENAME=".length()) {
                    return line.substring("VERSION_CODENAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // not a Debian-like host
        }
        return "bookworm";
    }

    public static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    /** Blocks the file really uses, as {@code du} reports: an image is sparse. */
    static long allocatedBytes(Path f) throws IOException {
        Process p = new ProcessBuilder("du", "-k", "--", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            p.waitFor();
            return Long.parseLong(out.split("\\s+")[0]) << 10;
        } catch (NumberFormatException | InterruptedException e) {
            return Files.size(f);
        }
    }

    private static void requireOnPath(String command, String hint) throws IOException {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return;
            }
        }
        throw new IOException(command + " not found: " + hint);
    }
}
