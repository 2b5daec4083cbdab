package org.ktestci.coordinator;

import org.ktestci.coordinator.execution.HostSlots;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.protocol.node.ClusterNodeConfig;
import org.ktestci.protocol.node.ClusterNodeSettings;
import org.ktestci.schema.config.Arch;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.HostConfig;
import org.ktestci.schema.config.RepoConfig;
import org.ktestci.schema.config.TestGroupConfig;
import org.ktestci.schema.run.TestListing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns the validated config into what the coordinator's parts are built from. */
public final class ConfigMapping {
    private final CiConfig config;

    public ConfigMapping(CiConfig config) {
        this.config = config;
    }

    public List<BranchSpec> branches() {
        List<BranchSpec> out = new ArrayList<>();
        for (BranchConfig b : config.branches().values()) {
            RepoConfig repo = config.repos().get(b.repo());
            List<GroupSpec> groups = new ArrayList<>();
            for (String g : b.testGroups()) {
                TestGroupConfig tg = config.testGroups().get(g);
                groups.add(new GroupSpec(tg.name(), tg.tests(), tg.maxCommits(), tg.priority(), tg.kernels(),
                        tg.env(), tg.arch().stream().map(Arch::id).toList(),
                        TestGroupConfig.FAILURES_FIRST.equals(tg.order()), tg.failuresFirstCommits()));
            }
            out.add(new BranchSpec(b.name(), repo.name(), repo.path(), repo.url(), b.fetchUrl(), b.fetchRef(),
                    List.copyOf(groups)));
        }
        return List.copyOf(out);
    }

    SchedulerSettings scheduler() {
        return new SchedulerSettings(config.window(), config.refillAt(), config.subtestDurationMax(),
                config.subtestDurationDef(), config.subtestTimeout(), config.infraRetries(),
                Duration.ofSeconds(config.leaseTimeout()), Duration.ofSeconds(config.heartbeatInterval()),
                Duration.ofSeconds(config.refillInterval()), Duration.ofSeconds(config.fetchInterval()),
                Duration.ofSeconds(config.fairShareHalfLife()), config.quarantineAfter(),
                Duration.ofSeconds(config.quarantineBackoff()), Duration.ofSeconds(config.quarantineBackoffMax()),
                config.keepResultsCommits());
    }

    HostSlots hostSlots(String host) {
        HostConfig h = config.hosts().get(host);
        return h == null ? HostSlots.UNCONFIGURED : new HostSlots(h.slots(), h.arch().map(Arch::id));
    }

    public SubtestListingCache.Lister lister() {
        return TestListing::list;
    }

    /**
     * A node joins itself when it is the only seed or picks a free port: the single-node demo and
     * {@code --with-worker} runs, where no other node exists to join.
     */
    public boolean joinSelf(boolean withWorker) {
        var c = config.cluster();
        String self = ClusterNodeConfig.seedAddress(advertiseHost(), c.port());
        return c.port() == 0 || (!c.seedNodesSet() && withWorker) || c.seedNodes().equals(List.of(self));
    }

    public ClusterNodeSettings clusterSettings(List<String> roles, boolean withWorker) {
        var c = config.cluster();
        List<String> seeds = joinSelf(withWorker) ? List.of() : c.seedNodes();
        return new ClusterNodeSettings(roles, c.bindHost(), c.port(), advertiseHost(), seeds, c.insecurePlaintext(),
                c.tlsCert(), c.tlsKey(), c.tlsCa());
    }

    private String advertiseHost() {
        return config.cluster().advertiseHost().orElse(config.ciHost());
    }
}
