package org.ktestci.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the dashboard listens, the prefix of every route ({@code [http]}, config.md §6.2), the metrics registry
 * {@code /metrics} exposes (the coordinator's metrics and the dashboard's own HTTP metrics), and the admin token
 * file (none: the admin API answers 403).
 */
public record DashboardSettings(String bindHost, int port, String basePath, PrometheusRegistry registry,
                                Optional<Path> adminTokenFile) {
    public DashboardSettings(String bindHost, int port, String basePath) {
        this(bindHost, port, basePath, new PrometheusRegistry(), Optional.empty());
    }

    public DashboardSettings(String bindHost, int port, String basePath, PrometheusRegistry registry) {
        this(bindHost, port, basePath, registry, Optional.empty());
    }

    public DashboardSettings withAdminTokenFile(Optional<Path> file) {
        return new DashboardSettings(bindHost, port, basePath, registry, file);
    }
}
