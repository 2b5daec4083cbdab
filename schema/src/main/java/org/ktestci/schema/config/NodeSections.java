package org.ktestci.schema.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code [cluster]}, {@code [http]}, {@code [persistence]} and {@code [worker]} (config.md §6.2–6.3). */
final class NodeSections {
    private static final Pattern SEED = Pattern.compile("^pekko://ktest-ci@[^:/@\\s]+:\\d{1,5}$");
    private static final Pattern BASE_PATH = Pattern.compile("^/[A-Za-z0-9._~/-]*[^/]$");
    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.-]+$");
    static final int DEFAULT_PORT = 25520;

    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;
    private final Path stateDir;
    private final Optional<Path> ktestDir;
    private final String ciHost;
    private final boolean ciHostSet;

    NodeSections(TomlReader r, TomlScope root, ConfigRole role, Path stateDir, Optional<Path> ktestDir, String ciHost,
                 boolean ciHostSet) {
        this.r = r;
        this.root = root;
        this.role = role;
        this.stateDir = stateDir;
        this.ktestDir = ktestDir;
        this.ciHost = ciHost;
        this.ciHostSet = ciHostSet;
    }

    /** The section's scope, or an empty one that points "missing key" errors at the top of the file. */
    private TomlScope section(String name) {
        return r.table(root, name).orElseGet(() -> new TomlScope(org.tomlj.Toml.parse(""), List.of(name), 1, 1));
    }

    ClusterConfig cluster() {
        TomlScope s = section("cluster");
        r.unknownKeys(s, List.of("seed_nodes", "bind_host", "port", "advertise_host", "tls_cert", "tls_key", "tls_ca",
                "insecure_plaintext"), Map.of());
        Optional<List<TomlReader.Element>> seeds = r.stringArray(s, "seed_nodes");
        List<String> seedList = seeds.map(els -> els.stream().map(e -> {
            if (!SEED.matcher(e.value()).matches()) {
                r.errorAt(e.line(), e.column(), s.keyPath("seed_nodes") + "[" + e.index() + "]",
                        "must be pekko://ktest-ci@<host>:<port>, got \"" + e.value() + "\"");
            }
            return e.value();
        }).toList()).orElse(List.of("pekko://ktest-ci@" + ciHost + ":" + DEFAULT_PORT));
        String bindHost = r.string(s, "bind_host").orElse("0.0.0.0");
        int port = r.intIn(s, "port", 0, 65535, DEFAULT_PORT);
        Optional<String> advertise = r.string(s, "advertise_host");
        Optional<Path> cert = r.path(s, "tls_cert");
        Optional<Path> key = r.path(s, "tls_key");
        Optional<Path> ca = r.path(s, "tls_ca");
        boolean plaintext = r.bool(s, "insecure_plaintext").orElse(false);
        if ((role.coordinator() || role.worker()) && !plaintext) {
            for (String k : List.of("tls_cert", "tls_key", "tls_ca")) {
                if (!r.has(s, k)) {
                    r.errorAt(s.line(), s.column(), s.keyPath(k),
                            "required key missing (or set cluster.insecure_plaintext = true for a local demo)");
                }
            }
        }
        if (role.worker() && !ciHostSet && seeds.isEmpty()) {
            r.errorAt(1, 1, "ci_host", "required key missing (a worker needs ci_host or cluster.seed_nodes)");
        }
        return new ClusterConfig(seedList, seeds.isPresent(), bindHost, port, advertise, cert, key, ca, plaintext);
    }

    HttpConfig http() {
        TomlScope s = section("http");
        r.unknownKeys(s, List.of("bind", "base_path", "admin_token_file"), Map.of());
        String host = "0.0.0.0";
        int port = 8080;
        Optional<String> bind = r.string(s, "bind");
        if (bind.isPresent()) {
            int colon = bind.get().lastIndexOf(':');
            Integer p = null;
            if (colon > 0) {
                try {
                    p = Integer.parseInt(bind.get().substring(colon + 1));
                } catch (NumberFormatException ignored) {
                    p = null;
                }
            }
            if (p == null || p < 0 || p > 65535) {
                r.error(s, "bind", "must be \"<host>:<port>\", got \"" + bind.get() + "\"");
            } else {
                host = bind.get().substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                port = p;
            }
        }
        String basePath = r.string(s, "base_path").orElse("");
        if (!basePath.isEmpty() && !BASE_PATH.matcher(basePath).matches()) {
            r.error(s, "base_path", "must be \"\" or match ^/[A-Za-z0-9._~/-]*[^/]$, got \"" + basePath + "\"");
            basePath = "";
        }
        Optional<Path> token = r.path(s, "admin_token_file");
        if (token.isPresent() && role.coordinator()) {
            checkTokenFile(s, token.get());
        }
        return new HttpConfig(host, port, basePath, token);
    }

    private void checkTokenFile(TomlScope s, Path token) {
        try {
            if (Files.getPosixFilePermissions(token).contains(PosixFilePermission.OTHERS_READ)) {
                r.error(s, "admin_token_file", "must not be world-readable: " + token);
            } else if (Files.readString(token).trim().length() < 32) {
                r.error(s, "admin_token_file", "token must be at least 32 characters: " + token);
            }
        } catch (IOException e) {
            r.error(s, "admin_token_file", "cannot read " + token + ": " + e.getMessage());
        }
    }

    PersistenceConfig persistence() {
        TomlScope s = section("persistence");
        r.unknownKeys(s, List.of("journal", "h2_file", "url", "user", "password_file"), Map.of());
        PersistenceConfig.Journal journal = PersistenceConfig.Journal.H2;
        Optional<String> j = r.string(s, "journal");
        if (j.isPresent()) {
            switch (j.get()) {
                case "h2" -> journal = PersistenceConfig.Journal.H2;
                case "postgresql" -> journal = PersistenceConfig.Journal.POSTGRESQL;
                default -> r.error(s, "journal", "must be one of \"h2\", \"postgresql\", got \"" + j.get() + "\"");
            }
        }
        Path h2 = r.path(s, "h2_file").orElse(stateDir.resolve("journal"));
        Optional<String> url = r.string(s, "url");
        url.ifPresent(u -> {
            if (!u.startsWith("jdbc:postgresql://")) {
                r.error(s, "url", "must be a jdbc:postgresql:// URL, got \"" + u + "\"");
            }
        });
        if (journal == PersistenceConfig.Journal.POSTGRESQL && !r.has(s, "url")) {
            r.missing(s, "url");
        }
        String user = r.string(s, "user").orElse("ktest_ci");
        Optional<Path> password = r.path(s, "password_file");
        return new PersistenceConfig(journal, h2, url, user, password);
    }

    WorkerConfig worker() {
        TomlScope s = section("worker");
        r.unknownKeys(s, List.of("host", "arch", "slots", "workspace", "ktest_dir", "runner", "kernel_store",
                "qemu_binary", "busybox", "log_cap_mib", "min_free_disk_gib", "qemu_kernel", "bash"), Map.of());
        String host = r.string(s, "host").orElseGet(ConfigLoader::localHostName);
        if (!HOST.matcher(host).matches()) {
            r.error(s, "host", "must match ^[A-Za-z0-9.-]+$, got \"" + host + "\"");
        }
        Optional<Arch> arch = ConfigLoader.arch(r, s, "arch");
        if (arch.isEmpty() && !r.has(s, "arch")) {
            arch = Arch.detect(System.getProperty("os.arch"));
            if (arch.isEmpty() && role.worker()) {
                r.errorAt(s.line(), s.column(), s.keyPath("arch"), "cannot detect the arch: os.arch \""
                        + System.getProperty("os.arch") + "\" is neither x86_64 nor aarch64; set worker.arch");
            }
        }
        int defaultSlots = Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
        int slots = r.intIn(s, "slots", 1, 256, defaultSlots);
        Path workspace = r.path(s, "workspace").orElse(stateDir.resolve("work"));
        Optional<Path> workerKtest = r.path(s, "ktest_dir");
        if (role.worker() && workerKtest.isEmpty() && ktestDir.isEmpty() && !r.has(s, "ktest_dir")) {
            r.errorAt(s.line(), s.column(), s.keyPath("ktest_dir"),
                    "required key missing (set worker.ktest_dir or ktest_dir)");
        }
        WorkerConfig.Runner runner = WorkerConfig.Runner.KTEST;
        Optional<String> rn = r.string(s, "runner");
        if (rn.isPresent()) {
            switch (rn.get()) {
                case "ktest" -> runner = WorkerConfig.Runner.KTEST;
                case "host" -> runner = WorkerConfig.Runner.HOST;
                case "qemu" -> runner = WorkerConfig.Runner.QEMU;
                default -> r.error(s, "runner", "must be one of \"ktest\", \"host\", \"qemu\", got \"" + rn.get() + "\"");
            }
        }
        Arch a = arch.orElse(Arch.X86_64);
        return new WorkerConfig(host, a, slots, workspace, workerKtest.or(() -> ktestDir).orElse(Path.of("")), runner,
                r.path(s, "kernel_store").orElse(Path.of("/var/lib/ktest/kernels")),
                r.string(s, "qemu_binary").orElse("qemu-system-" + a.id()),
                r.string(s, "busybox").orElse("busybox"),
                r.intIn(s, "log_cap_mib", 1, Integer.MAX_VALUE, 256),
                r.intIn(s, "min_free_disk_gib", 0, Integer.MAX_VALUE, 10),
                r.path(s, "qemu_kernel"),
                r.string(s, "bash").orElse("bash"));
    }
}
