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
 * Builds the {@code qemu} runner's initramfs, written in Java as newc cpio + gzip, in two forms.
 * <ul>
 * <li>{@link #writeBusyboxVm}: the whole userspace of ktest-interface.md §6.3 item 2 — static busybox with its
 * applet links, bash with the libraries {@code ldd} lists, the ktest tree under {@code /ktest}, {@code /ktest-env},
 * and an {@code /init} that runs the subtests and powers off.</li>
 * <li>{@link #writeRootImageVm}: the first stage of §6.4 — busybox, the modules the root disk and the 9p shares
 * need, and the scripts of {@link GuestScripts}.</li>
 * </ul>
 * Only the modules a VM loads at boot are packed, never a kernel's whole module tree.
 */
public final class InitramfsBuilder {
    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+) \\(0x");

    /** What the busybox VM loads: virtio for scratch disks and the console. */
    public static final List<String> BUSYBOX_VM_MODULES = List.of("virtio_pci", "virtio_blk", "virtio_console");
    /** What a root-image VM needs before it can switch root: its root disk, ext4, and the 9p shares. */
    public static final List<String> ROOT_IMAGE_VM_MODULES = List.of("virtio_pci", "virtio_blk", "ext4", "9p",
            "9pnet_virtio", "virtio_rng");

    private final Path busybox;
    private final Path bash;

    public InitramfsBuilder(Path busybox, Path bash) {
        this.busybox = busybox;
        this.bash = bash;
    }

    public void writeBusyboxVm(Path target, Path ktestDir, String test, List<String> subtests,
                               Map<String, String> env, Optional<KernelModules> modules) throws IOException {
        try (CpioWriter cpio = open(target)) {
            addBusybox(cpio, List.of("proc", "sys", "dev", "tmp", "root", "etc"));
            cpio.file("bin/bash", Files.readAllBytes(bash), 0755);
            for (Path lib : libraries(bash)) {
                cpio.file(lib.toString(), Files.readAllBytes(lib.toRealPath()), 0755);
            }
            addTree(cpio, ktestDir.resolve("tests"), "ktest/tests");
            if (Files.isDirectory(ktestDir.resolve("lib"))) {
                addTree(cpio, ktestDir.resolve("lib"), "ktest/lib");
            }
            List<String> order = addModules(cpio, modules);
            cpio.file("ktest-env", GuestScripts.envFile(env).getBytes(StandardCharsets.UTF_8), 0644);
            cpio.file("init", init(test, subtests, order).getBytes(StandardCharsets.UTF_8), 0755);
        }
    }

    public void writeRootImageVm(Path target, Optional<KernelModules> modules, String guestInit, String guestEnv)
            throws IOException {
        try (CpioWriter cpio = open(target)) {
            addBusybox(cpio, List.of("proc", "sys", "dev", "tmp", "newroot"));
            List<String> order = addModules(cpio, modules);
            List<String> indexFiles = new ArrayList<>();
            if (modules.isPresent()) {
                for (String f : modules.get().indexFiles()) {
                    cpio.file("module-index/" + f, Files.readAllBytes(modules.get().indexDir().resolve(f)), 0644);
                    indexFiles.add(f);
                }
            }
            cpio.file("guest-init", guestInit.getBytes(StandardCharsets.UTF_8), 0755);
            cpio.file("guest-env", guestEnv.getBytes(StandardCharsets.UTF_8), 0644);
            String release = modules.map(KernelModules::release).orElse("");
            cpio.file("init", GuestScripts.firstStage(order, release, indexFiles).getBytes(StandardCharsets.UTF_8),
                    0755);
        }
    }

    private static CpioWriter open(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return new CpioWriter(new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(target))));
    }

    private void addBusybox(CpioWriter cpio, List<String> dirs) throws IOException {
        for (String d : dirs) {
            cpio.directory(d);
        }
        cpio.file("bin/busybox", Files.readAllBytes(busybox), 0755);
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                cpio.symlink("bin/" + applet, "busybox");
            }
        }
    }

    /** Packs the modules to load as {@code /modules/<relative path>}; returns their load order. */
    private static List<String> addModules(CpioWriter cpio, Optional<KernelModules> modules) throws IOException {
        if (modules.isEmpty()) {
            return List.of();
        }
        for (String rel : modules.get().loadOrder()) {
            cpio.file("modules/" + rel, Files.readAllBytes(modules.get().releaseDir().resolve(rel)), 0644);
        }
        return modules.get().loadOrder();
    }

    /** The busybox VM's PID 1: mounts, modules, env, the subtests, the run verdict, power off. */
    static String init(String test, List<String> subtests, List<String> modules) {
        StringBuilder subs = new StringBuilder();
        for (String s : subtests) {
            subs.append(' ').append(s); // subtest names are [A-Za-z0-9._/+:,-]: no quoting needed
        }
        StringBuilder insmods = new StringBuilder();
        for (String m : modules) {
            insmods.append("insmod /modules/").append(m).append(" 2>/dev/null\n");
        }
        return "#!/bin/sh\n"
                + "mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n"
                + insmods
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
