package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** One load of a parsed file: the top level (config.md §2), then each section, then the role's requirements. */
final class ConfigReader {
    static final Set<String> TOP_KEYS = new LinkedHashSet<>(List.of(
            "user", "linux_repo", "output_dir", "ktest_dir", "state_dir", "ci_host", "ci_url",
            "subtest_duration_max", "subtest_duration_def", "subtest_timeout", "keep_results_commits", "window",
            "refill_at", "lease_timeout", "heartbeat_interval", "infra_retries", "quarantine_after",
            "quarantine_backoff", "quarantine_backoff_max", "fetch_interval", "refill_interval",
            "fair_share_half_life", "gc_grace", "maintenance_interval", "kcidb_origin",
            "known_issue", "flake_retries", "flake_window", "notify",
            "repos", "test_group", "branch", "hosts", "cluster", "http", "persistence", "worker"));
    /** ktest's keys we dropped: two get a pointer to their replacement, the others no misleading suggestion. */
    private static final Map<String, String> REMOVED_KEY_HINTS = Map.of(
            "executors", " (use [hosts.<name>])",
            "ktest_url", " (workers use worker.ktest_dir)",
            "users_dir", "",
            "user_nice", "",
            "ci_remote", "",
            "verbose", "",
            "test_duration_nice", "",
            "test_always_passes_nice", "");
    private static final Pattern USER = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");
    private static final Pattern CI_URL = Pattern.compile("^https?://[^\\s/]+\\S*$");

    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;
    private final Path file;
    private final String digest;

    ConfigReader(TomlReader r, TomlScope root, ConfigRole role, Path file, String digest) {
        this.r = r;
        this.root = root;
        this.role = role;
        this.file = file;
        this.digest = digest;
    }

    CiConfig read() {
        r.unknownKeys(root, TOP_KEYS, REMOVED_KEY_HINTS);
        String user = r.string(root, "user").orElse("ci");
        if (r.has(root, "user") && !USER.matcher(user).matches()) {
            r.error(root, "user", "must match ^[a-z][a-z0-9_-]{0,31}$, got \"" + user + "\"");
        }
        Optional<Path> linuxRepo = r.path(root, "linux_repo");
        Optional<Path> outputDir = r.path(root, "output_dir");
        Optional<Path> ktestDir = r.path(root, "ktest_dir");
        Path stateDir = r.path(root, "state_dir").orElse(Path.of("/var/lib/ktest-ci"));
        EmbeddedPaths.problem(stateDir, EmbeddedPaths.STATE_DIR).filter(m -> r.has(root, "state_dir"))
                .ifPresent(m -> r.error(root, "state_dir", m));
        Optional<String> ciHostSet = r.string(root, "ci_host");
        String ciHost = ciHostSet.orElseGet(ConfigLoader::localHostName);
        Optional<String> ciUrl = r.string(root, "ci_url");
        ciUrl.filter(u -> !CI_URL.matcher(u).matches()).ifPresent(u ->
                r.error(root, "ci_url", "must be an http:// or https:// URL, got \"" + u + "\""));
        Limits l = Limits.read(r, root);
        if (role.coordinator()) {
            new CoordinatorPaths(r, root).check(linuxRepo, outputDir, ktestDir);
        }

        Tables t = tables(linuxRepo, ktestDir, l.keepResultsCommits());
        HttpConfig http = new HttpReader(r, root, role).read();
        ClusterConfig cluster = new ClusterReader(r, root, role).read(ciHost, ciHostSet.isPresent());
        PersistenceConfig persistence = new PersistenceReader(r, root).read(stateDir);
        WorkerConfig worker = new WorkerReader(r, root, role).read(stateDir, ktestDir);
        String defaultUrl = "http://" + ciHost + ":" + http.bindPort() + http.basePath();
        return new CiConfig(file, digest, user, linuxRepo.orElse(Path.of("")), outputDir.orElse(Path.of("")),
                ktestDir.orElse(worker.ktestDir()), stateDir, ciHost, ciUrl.orElse(defaultUrl), ciUrl,
                l.subtestDurationMax(), l.subtestDurationDef(), l.subtestTimeout(), l.keepResultsCommits(),
                l.window(), l.refillAt(), l.leaseTimeout(), l.heartbeatInterval(), l.infraRetries(),
                l.quarantineAfter(), l.quarantineBackoff(), l.quarantineBackoffMax(), l.fetchInterval(),
                l.refillInterval(), l.fairShareHalfLife(), l.gcGrace(), l.maintenanceInterval(), t.repos(), t.groups(),
                t.branches(), t.hosts(), cluster, http, persistence, worker, new RegressionsReader(r, root, role).read());
    }

    /** The named tables: repos, groups ({@code extends} resolved), branches checked against both, hosts. */
    private record Tables(Map<String, RepoConfig> repos, Map<String, TestGroupConfig> groups,
                          Map<String, BranchConfig> branches, Map<String, HostConfig> hosts) {}

    private Tables tables(Optional<Path> linuxRepo, Optional<Path> ktestDir, int keepResultsCommits) {
        Optional<TomlScope> groupsSection = r.table(root, "test_group");
        Set<String> groupNames = new LinkedHashSet<>(groupsSection.map(g -> g.table().keySet()).orElse(Set.of()));
        Optional<Path> testsDir = role.coordinator() ? ktestDir.map(k -> k.resolve("tests")) : Optional.empty();
        Map<String, TestGroupConfig> groups = new GroupsReader(r, keepResultsCommits, testsDir).read(groupsSection);
        Map<String, RepoConfig> repos = new ReposReader(r, role.coordinator()).read(r.table(root, "repos"), linuxRepo);
        Set<String> repoNames = new LinkedHashSet<>(List.of(ReposReader.LINUX)); // the default of branch.*.repo
        repoNames.addAll(repos.keySet());
        Map<String, BranchConfig> branches = new BranchesReader(r, repoNames, groups, groupNames)
                .read(r.table(root, "branch"));
        return new Tables(repos, groups, branches, new HostsReader(r).read(r.table(root, "hosts")));
    }
}
