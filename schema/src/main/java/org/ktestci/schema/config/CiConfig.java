package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A fully validated {@code ktest-ci.toml} (config.md): defaults applied, relative paths resolved against the
 * file's directory, {@code extends} resolved. Maps keep file order.
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
        WorkerConfig worker) {

    public RepoConfig repo(String name) {
        return repos.get(name);
    }
}
