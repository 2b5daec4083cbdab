package org.ktestci.worker.qemu;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the {@code qemu} runner's initramfs (ktest-interface.md §6.3 item 2): static busybox with its applet
 * links, bash with the libraries {@code ldd} lists, the ktest tree under {@code /ktest}, the kernel's modules,
 * {@code /ktest-env}, and an {@code /init} that runs the subtests and powers off.
 */
public final class InitramfsBuilder {
    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+) \\(0x");

    private final Path busybox;
    private final Path bash;

    public InitramfsBuilder(Path busybox, Path bash) {
        this.busybox = busybox;
        this.bash = bash;
    }

    public void write(Path target, Path ktestDir, String test, List<String> subtests, Map<String, String> env,
                      Optional<Path> modules) throws IOException {
        Files.createDirectories(target.getParent());
        try (CpioWriter cpio = new CpioWriter(new GZIPOutputStream(new BufferedOutputStream(
                Files.newOutputStream(target))))) {
            for (String d : List.of("proc", "sys", "dev", "tmp", "root", "etc")) {
                cpio.directory(d);
            }
            cpio.file("bin/busybox", Files.readAllBytes(busybox), 0755);
            for (String applet : applets()) {
                if (!applet.equals("busybox")) {
                    cpio.symlink("bin/" + applet, "busybox");
                }
            }
            cpio.file("bin/bash", Files.readAllBytes(bash), 0755);
            for (Path lib : libraries(bash)) {
                cpio.file(lib.toString(), Files.readAllBytes(lib.toRealPath()), 0755);
            }
            addTree(cpio, ktestDir.resolve("tests"), "ktest/tests");
            if (Files.isDirectory(ktestDir.resolve("lib"))) {
                addTree(cpio, ktestDir.resolve("lib"), "ktest/lib");
            }
            if (modules.isPresent()) {
                addTree(cpio, modules.get(), "lib/modules");
            }
            cpio.file("ktest-env", envFile(env).getBytes(StandardCharsets.UTF_8), 0644);
            cpio.file("init", init(test, subtests).getBytes(StandardCharsets.UTF_8), 0755);
        }
    }

    static String envFile(Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        env.forEach((k, v) -> b.append("export ").append(k).append("='").append(v.replace("'", "'\\''"))
                .append("'\n"));
        return b.toString();
    }

    /** The guest's PID 1: mounts, modules, env, the subtests, the run verdict, power off. */
    static String init(String test, List<String> subtests) {
        StringBuilder subs = new StringBuilder();
        for (String s : subtests) {
            subs.append(' ').append(s); // subtest names are [A-Za-z0-9._/+:,-]: no quoting needed
        }
        return "#!/bin/sh\n"
                + "mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n"
                + "for m in virtio_pci virtio_blk virtio_console; do modprobe $m 2>/dev/null; done\n"
                + ". /ktest-env\nexport ktest_dir=/ktest\ncd /tmp\n"
                + "if bash /ktest/tests/" + test + " run-tests" + subs + "; then echo 'TEST SUCCESS'; "
                + "else echo 'TEST FAILED'; fi\n"
                + "sync\npoweroff -f\n";
    }

    private List<String> applets() throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(busybox + " --list failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }

    /** Shared libraries and loader of a dynamically linked binary, as {@code ldd} lists them. */
    static Set<Path> libraries(Path binary) throws IOException {
        Process p = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Set<Path> libs = new LinkedHashSet<>();
        Matcher m = LDD_PATH.matcher(out);
        while (m.find()) {
            libs.add(Path.of(m.group(1)));
        }
        return libs;
    }

    private static void addTree(CpioWriter cpio, Path root, String into) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.sorted().toList());
        }
        for (Path p : paths) {
            String name = into + (p.equals(root) ? "" : "/" + root.relativize(p));
            if (Files.isSymbolicLink(p)) {
                cpio.symlink(name, Files.readSymbolicLink(p).toString());
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                cpio.directory(name);
            } else {
                cpio.file(name, Files.readAllBytes(p), Files.isExecutable(p) ? 0755 : 0644);
            }
        }
    }
}
