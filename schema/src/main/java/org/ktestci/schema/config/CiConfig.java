package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A fully validated {@code ktest-ci.toml} (config.md): defaults applied, relative paths resolved against the
 * file's directory, {@code extends} resolved. Maps keep file order ({@code repos} starts with {@code linux} =
 * {@code linux_repo} unless the file has {@code [repos.linux]}). A path the role did not require and the file
 * does not set is the empty path.
 *
 * @param file          the file the config was read from, absolute
 * @param contentDigest SHA-256 of the file's content (lowercase hex), compared to notice edits
 * @param ciUrl         {@code ci_url}, or the coordinator's default {@code http://<ci_host>:<port><base_path>}
 * @param ciUrlFromFile {@code ci_url} only when the file sets it ({@code ci-status} uses nothing else)
 * @param regressions   what issue 14 adds: KCIDB export, known issues, flakes, bisection, notifications
 */
public record CiConfig(
        Path file,
        String contentDigest,
        String user,
        Path linuxRepo,
        Path outputDir,
        Path ktestDir,
        Path stateDir,
        String ciHost,
        String ciUrl,
        Optional<String> ciUrlFromFile,
        int subtestDurationMax,
        int subtestDurationDef,
        int subtestTimeout,
        int keepResultsCommits,
        int window,
        int refillAt,
        int leaseTimeout,
        int heartbeatInterval,
        int infraRetries,
        int quarantineAfter,
        int quarantineBackoff,
        int quarantineBackoffMax,
        int fetchInterval,
        int refillInterval,
        int fairShareHalfLife,
        int gcGrace,
        int maintenanceInterval,
        Map<String, RepoConfig> repos,
        Map<String, TestGroupConfig> testGroups,
        Map<String, BranchConfig> branches,
        Map<String, HostConfig> hosts,
        ClusterConfig cluster,
        HttpConfig http,
        PersistenceConfig persistence,
        WorkerConfig worker,
        RegressionConfig regressions) {

    public CiConfig {
        repos = ordered(repos);
        testGroups = ordered(testGroups);
        branches = ordered(branches);
        hosts = ordered(hosts);
    }

    public RepoConfig repo(String name) {
        return repos.get(name);
    }

    /** An unmodifiable copy that keeps the iteration order ({@code Map.copyOf} does not). */
    static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
