package org.ktestci.schema.config;

import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads {@code /etc/ktest-ci.toml} (config.md): every key known to every program, each program requiring only
 * what it uses, every problem of the file collected and reported at once in {@code file:line:col: key: message}
 * form, sorted by position.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_PATH = Path.of("/etc/ktest-ci.toml");

    static final Set<String> TOP_KEYS = new LinkedHashSet<>(List.of(
            "user", "linux_repo", "output_dir", "ktest_dir", "state_dir", "ci_host", "ci_url",
            "subtest_duration_max", "subtest_duration_def", "subtest_timeout", "keep_results_commits", "window",
            "refill_at", "lease_timeout", "heartbeat_interval", "infra_retries", "quarantine_after",
            "quarantine_backoff", "quarantine_backoff_max", "fetch_interval", "refill_interval",
            "fair_share_half_life", "gc_grace", "maintenance_interval",
            "repos", "test_group", "branch", "hosts", "cluster", "http", "persistence", "worker"));
    private static final Map<String, String> REMOVED_KEY_HINTS = Map.of(
            "executors", " (use [hosts.<name>])",
            "ktest_url", " (workers use worker.ktest_dir)");
    private static final Pattern USER = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");

    private ConfigLoader() {
    }

    public static CiConfig load(Path file, ConfigRole role) throws ConfigException {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1, "(file)", "file not found")));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1, "(file)",
                    "cannot read: " + e.getMessage())));
        }
        return parse(content, file, role);
    }

    public static CiConfig parse(String content, Path file, ConfigRole role) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        String name = file.toString();
        TomlParseResult toml = Toml.parse(content);
        if (toml.hasErrors()) {
            List<ConfigError> syntax = new ArrayList<>();
            for (TomlParseError e : toml.errors()) {
                syntax.add(new ConfigError(name, e.position().line(), e.position().column(), "(syntax)",
                        e.getMessage()));
            }
            throw new ConfigException(sorted(syntax));
        }
        TomlReader r = new TomlReader(name, absolute.getParent());
        CiConfig config = new ConfigLoader.Build(r, TomlScope.root(toml), role, absolute, digest(content)).build();
        if (!r.errors().isEmpty()) {
            throw new ConfigException(sorted(r.errors()));
        }
        return config;
    }

    private static List<ConfigError> sorted(List<ConfigError> errors) {
        List<ConfigError> out = new ArrayList<>(errors);
        out.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return out;
    }

    private static String digest(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    static Optional<Arch> arch(TomlReader r, TomlScope s, String key) {
        Optional<String> v = r.string(s, key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Optional<Arch> a = Arch.fromId(v.get());
        if (a.isEmpty()) {
            r.error(s, key, "must be one of \"x86_64\", \"aarch64\", got \"" + v.get() + "\"");
        }
        return a;
    }

    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** One load: reads the top level, then each section, then the cross-key and role rules. */
    private record Build(TomlReader r, TomlScope root, ConfigRole role, Path file, String digest) {
        CiConfig build() {
            r.unknownKeys(root, TOP_KEYS, REMOVED_KEY_HINTS);
            String user = r.string(root, "user").orElse("ci");
            if (!USER.matcher(user).matches()) {
                r.error(root, "user", "must match ^[a-z][a-z0-9_-]{0,31}$, got \"" + user + "\"");
            }
            Optional<Path> linuxRepo = r.path(root, "linux_repo");
            Optional<Path> outputDir = r.path(root, "output_dir");
            Optional<Path> ktestDir = r.path(root, "ktest_dir");
            Path stateDir = r.path(root, "state_dir").orElse(Path.of("/var/lib/ktest-ci"));
            Optional<String> ciHostSet = r.string(root, "ci_host");
            String ciHost = ciHostSet.orElseGet(ConfigLoader::localHostName);
            Optional<String> ciUrl = r.string(root, "ci_url");
            ciUrl.ifPresent(u -> {
                if (!u.matches("^https?://[^\\s/]+.*$")) {
                    r.error(root, "ci_url", "must be an http:// or https:// URL, got \"" + u + "\"");
                }
            });
            Limits l = Limits.read(r, root);
            if (role.coordinator()) {
                requireCoordinatorPaths(linuxRepo, outputDir, ktestDir);
            }
            Optional<TomlScope> groupsSection = r.table(root, "test_group");
            Set<String> groupNames = groupsSection.map(g -> (Set<String>) new LinkedHashSet<>(g.table().keySet()))
                    .orElse(Set.of());
            Optional<Path> testsDir = role.coordinator() ? ktestDir.map(k -> k.resolve("tests")) : Optional.empty();
            Map<String, TestGroupConfig> groups = new GroupsReader(r, l.keepResultsCommits(), testsDir)
                    .read(groupsSection);
            BranchesReader br = new BranchesReader(r, role.coordinator());
            Map<String, RepoConfig> repos = br.repos(r.table(root, "repos"), linuxRepo);
            Set<String> repoNames = new LinkedHashSet<>(List.of("linux"));
            repoNames.addAll(repos.keySet()); // "linux" is always a repo: linux_repo unless [repos.linux] exists
            Map<String, BranchConfig> branches = br.branches(r.table(root, "branch"), repoNames, groups, groupNames);
            Map<String, HostConfig> hosts = br.hosts(r.table(root, "hosts"));
            NodeSections nodes = new NodeSections(r, root, role, stateDir, ktestDir, ciHost, ciHostSet.isPresent());
            HttpConfig http = nodes.http();
            ClusterConfig cluster = nodes.cluster();
            PersistenceConfig persistence = nodes.persistence();
            WorkerConfig worker = nodes.worker();
            String defaultUrl = "http://" + ciHost + ":" + http.bindPort() + http.basePath();
            return new CiConfig(file, digest, user, linuxRepo.orElse(Path.of("")), outputDir.orElse(Path.of("")),
                    ktestDir.orElse(worker.ktestDir()), stateDir, ciHost, ciUrl.orElse(defaultUrl), ciUrl,
                    l.subtestDurationMax(), l.subtestDurationDef(), l.subtestTimeout(), l.keepResultsCommits(),
                    l.window(), l.refillAt(), l.leaseTimeout(), l.heartbeatInterval(), l.infraRetries(),
                    l.quarantineAfter(), l.quarantineBackoff(), l.quarantineBackoffMax(), l.fetchInterval(),
                    l.refillInterval(), l.fairShareHalfLife(), l.gcGrace(), l.maintenanceInterval(), repos, groups,
                    branches, hosts, cluster, http, persistence, worker);
        }

        private void requireCoordinatorPaths(Optional<Path> linuxRepo, Optional<Path> outputDir,
                                             Optional<Path> ktestDir) {
            if (!r.has(root, "linux_repo")) {
                r.missing(root, "linux_repo");
            } else if (linuxRepo.isPresent() && !BranchesReader.GitRepos.isRepository(linuxRepo.get())) {
                r.error(root, "linux_repo", "not a git repository: " + linuxRepo.get());
            }
            if (!r.has(root, "output_dir")) {
                r.missing(root, "output_dir");
            } else if (outputDir.isPresent() && !Files.isDirectory(outputDir.get())
                    && !Files.isDirectory(outputDir.get().getParent())) {
                r.error(root, "output_dir", "neither it nor its parent directory exists: " + outputDir.get());
            }
            if (!r.has(root, "ktest_dir")) {
                r.missing(root, "ktest_dir");
            } else if (ktestDir.isPresent() && !Files.isDirectory(ktestDir.get().resolve("tests"))) {
                r.error(root, "ktest_dir", "has no tests/ directory: " + ktestDir.get());
            }
        }
    }
}
