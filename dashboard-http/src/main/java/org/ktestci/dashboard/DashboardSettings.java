package org.ktestci.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Where the dashboard listens, the prefix of every route ({@code [http]}, config.md §6.2), and the metrics
 * registry {@code /metrics} exposes (the coordinator's metrics and the dashboard's own HTTP metrics).
 */
public record DashboardSettings(String bindHost, int port, String basePath, PrometheusRegistry registry) {
    public DashboardSettings(String bindHost, int port, String basePath) {
        this(bindHost, port, basePath, new PrometheusRegistry());
    }
}
