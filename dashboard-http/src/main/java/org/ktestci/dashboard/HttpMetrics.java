package org.ktestci.dashboard;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The dashboard's request metrics (http.md §8) and the {@code /metrics} exposition of the whole registry in
 * Prometheus text format 0.0.4. Labels are {@link RouteTemplate}s, never raw paths, so a scan of random URLs cannot
 * blow up the number of series.
 */
final class HttpMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusRegistry registry;
    private final Counter requests;
    private final Histogram duration;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    HttpMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.requests = Counter.builder().name("ktest_ci_http_requests").help("HTTP requests")
                .labelNames("route", "code").register(registry);
        this.duration = Histogram.builder().name("ktest_ci_http_request_duration_seconds").help("HTTP request latency")
                .classicOnly().classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30)
                .labelNames("route").register(registry);
    }

    void observe(String route, int code, long nanos) {
        requests.labelValues(route, Integer.toString(code)).inc();
        duration.labelValues(route).observe(nanos / 1e9);
    }

    Reply exposition() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Reply.bytes(200, CONTENT_TYPE, out.toByteArray());
    }
}
