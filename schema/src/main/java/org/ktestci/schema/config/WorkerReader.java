package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.ktestci.schema.config.TomlReader.NO_MAX;

/** Reads {@code [worker]} (config.md §6.3), defaults applied. */
final class WorkerReader {
    private static final List<String> KEYS = List.of("host", "arch", "slots", "workspace", "ktest_dir", "runner",
            "kernel_store", "qemu_binary", "busybox", "log_cap_mib", "min_free_disk_gib", "qemu_kernel", "bash",
            "root_image", "root_image_mirror", "root_image_packages", "console_cap_mib", "console_lines_per_sec",
            "kernel_paths");
    /** A Debian package name (Debian Policy §5.6.1). */
    private static final Pattern PACKAGE = Pattern.compile("^[a-z0-9][a-z0-9.+-]*$");

    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;

    WorkerReader(TomlReader r, TomlScope root, ConfigRole role) {
        this.r = r;
        this.root = root;
        this.role = role;
    }

    /** @param ktestDir top-level {@code ktest_dir}, the default of {@code worker.ktest_dir} */
    WorkerConfig read(Path stateDir, Optional<Path> ktestDir) {
        TomlScope s = r.table(root, "worker").orElseGet(() -> root.absent("worker"));
        r.unknownKeys(s, KEYS, Map.of());
        String host = r.string(s, "host").orElseGet(ConfigLoader::localHostName);
        if (r.has(s, "host") && !HostsReader.HOST.matcher(host).matches()) {
            r.error(s, "host", "must match ^[A-Za-z0-9.-]+$, got \"" + host + "\"");
        }
        Arch arch = arch(s);
        int slots = r.intIn(s, "slots", 1, 256, Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
        Path workspace = r.path(s, "workspace").orElse(stateDir.resolve("work"));
        if (r.has(s, "workspace")) {
            EmbeddedPaths.problem(workspace, EmbeddedPaths.WORKSPACE).ifPresent(m -> r.error(s, "workspace", m));
        }
        Optional<Path> ownKtest = r.path(s, "ktest_dir");
        if (role.worker() && !r.has(s, "ktest_dir") && !r.has(root, "ktest_dir")) {
            r.errorAt(s.line(), s.column(), s.keyPath("ktest_dir"),
                    "required key missing (set worker.ktest_dir or ktest_dir)");
        }
        return new WorkerConfig(host, arch, slots, workspace, ownKtest.or(() -> ktestDir).orElse(Path.of("")),
                runner(s),
                r.path(s, "kernel_store").orElse(Path.of("/var/lib/ktest/kernels")),
                r.string(s, "qemu_binary").orElse("qemu-system-" + arch.id()),
                r.string(s, "busybox").orElse("busybox"),
                r.intIn(s, "log_cap_mib", 1, NO_MAX, 256),
                r.intIn(s, "min_free_disk_gib", 0, NO_MAX, 10),
                r.path(s, "qemu_kernel"),
                r.string(s, "bash").orElse("bash"),
                r.path(s, "root_image"),
                stateDir.resolve("root." + arch.id()),
                mirror(s),
                packages(s),
                r.intIn(s, "console_cap_mib", 1, NO_MAX, 128),
                r.intIn(s, "console_lines_per_sec", 100, NO_MAX, 5000),
                kernelPaths(s));
    }

    private Optional<String> mirror(TomlScope s) {
        Optional<String> m = r.string(s, "root_image_mirror");
        if (m.isPresent() && !m.get().matches("^(https?|file)://[^\\s]+$")) {
            r.error(s, "root_image_mirror", "must be an http://, https:// or file:// URL of a Debian mirror, got \""
                    + m.get() + "\"");
            return Optional.empty();
        }
        return m;
    }

    private List<String> packages(TomlScope s) {
        List<String> out = new ArrayList<>();
        for (TomlReader.Element e : r.stringArray(s, "root_image_packages").orElse(List.of())) {
            if (PACKAGE.matcher(e.value()).matches()) {
                out.add(e.value());
            } else {
                r.errorAt(e.line(), e.column(), s.keyPath("root_image_packages") + "[" + e.index() + "]",
                        "must be a Debian package name (^[a-z0-9][a-z0-9.+-]*$), got \"" + e.value() + "\"");
            }
        }
        return List.copyOf(out);
    }

    /**
     * Absolute kernel images a job may name must lie under one of these (config.md §6.3). Each is a directory
     * path (relative ones against the config file's directory), neither {@code /} itself nor repeated.
     */
    private List<Path> kernelPaths(TomlScope s) {
        List<Path> out = new ArrayList<>();
        for (TomlReader.Element e : r.stringArray(s, "kernel_paths").orElse(List.of())) {
            String where = s.keyPath("kernel_paths") + "[" + e.index() + "]";
            if (e.value().isBlank()) {
                r.errorAt(e.line(), e.column(), where, "must be a directory path, got \"\"");
                continue;
            }
            Path p = r.resolve(e.value());
            if (p.getParent() == null) {
                r.errorAt(e.line(), e.column(), where, "must not be the root directory (it would allow any file)");
            } else if (out.contains(p)) {
                r.errorAt(e.line(), e.column(), where, "duplicate path \"" + e.value() + "\"");
            } else {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** The configured arch, else this machine's; a machine ktest-ci cannot run on is an error for a worker. */
    private Arch arch(TomlScope s) {
        if (r.has(s, "arch")) {
            return r.arch(s, "arch").orElse(Arch.X86_64);
        }
        Optional<Arch> detected = Arch.detect();
        if (detected.isEmpty() && role.worker()) {
            r.errorAt(s.line(), s.column(), s.keyPath("arch"), "cannot detect the arch: os.arch \""
                    + System.getProperty("os.arch") + "\" is neither x86_64 nor aarch64; set worker.arch");
        }
        return detected.orElse(Arch.X86_64);
    }

    private WorkerConfig.Runner runner(TomlScope s) {
        Optional<String> name = r.string(s, "runner");
        if (name.isEmpty()) {
            return WorkerConfig.Runner.KTEST;
        }
        Optional<WorkerConfig.Runner> runner = WorkerConfig.Runner.fromConfig(name.get());
        if (runner.isEmpty()) {
            r.error(s, "runner", "must be one of \"ktest\", \"host\", \"qemu\", got \"" + name.get() + "\"");
        }
        return runner.orElse(WorkerConfig.Runner.KTEST);
    }
}
