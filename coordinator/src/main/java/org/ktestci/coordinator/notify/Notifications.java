package org.ktestci.coordinator.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.dashboard.CiQueries;
import org.ktestci.dashboard.RegressionFeed;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.events.EventJson;
import org.ktestci.schema.events.EventLinks;
import org.ktestci.schema.events.RegressionEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;

/**
 * The webhooks of a coordinator node (issue 14 item 8): the sender (threads of its own, closed with the node) and
 * what the singleton's {@link Notifier} reads, built from the live config and the dashboard's own derivation of
 * the events, so webhooks and feed always agree.
 */
public final class Notifications implements AutoCloseable {
    /** A notifier scan considers up to this many of a branch's newest events. */
    static final int MAX_EVENTS_PER_SCAN = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The notifier's own results cache: about 40 MB at most (the dashboard's is separate). */
    static final long CACHED_RESULTS = 2_000_000;

    private final Supplier<CiConfig> config;
    private final Supplier<List<BranchSpec>> branches;
    private final CiQueries queries;
    private final RegressionFeed feed;
    private final WebhookSender sender;

    /** {@code config} and {@code branches}: the config in force, read at each use (a reload changes them). */
    public Notifications(Supplier<CiConfig> config, Supplier<List<BranchSpec>> branches, CoordinatorMetrics metrics,
                         CiQueries queries, String version) {
        this.config = config;
        this.branches = branches;
        this.queries = queries;
        this.feed = new RegressionFeed(queries, CACHED_RESULTS);
        this.sender = new WebhookSender(() -> config.get().regressions().notifications(),
                WebhookSender.Policy.DEFAULT, listener(metrics), version);
    }

    static WebhookSender.Listener listener(CoordinatorMetrics m) {
        return new WebhookSender.Listener() {
            @Override
            public void attempted(String result) {
                m.webhookAttempts.labelValues(result).inc();
            }

            @Override
            public void settled(String outcome) {
                m.webhookDeliveries.labelValues(outcome).inc();
            }

            @Override
            public void outstanding(int n) {
                m.webhookOutstanding.set(n);
            }
        };
    }

    public Notifier.Inputs inputs(CoordinatorMetrics metrics) {
        return new Notifier.Inputs(() -> config.get().regressions().notifications(),
                () -> branches.get().stream().map(BranchSpec::name).toList(),
                branch -> feed.events(branch, MAX_EVENTS_PER_SCAN), e -> {
                    metrics.regressionEvents.labelValues(e.type()).inc();
                    sender.offer(e.id(), e.type(), body(e, new EventLinks(config.get().ciUrl())));
                }, Notifier.DEFAULT_INTERVAL, this::version);
    }

    /**
     * What the events are derived from, cheaply: the views' version (tips, index changes, known issues), the
     * config's digest, and {@code output_dir}'s modification time (every blob is renamed into it).
     */
    private String version() {
        long mtime;
        try {
            mtime = Files.getLastModifiedTime(queries.outputDir()).toMillis();
        } catch (IOException e) {
            mtime = System.nanoTime(); // unknown: scan
        }
        return queries.viewsVersion().orElseGet(() -> Long.toString(System.nanoTime())) + "|"
                + config.get().contentDigest() + "|" + mtime;
    }

    static byte[] body(RegressionEvent e, EventLinks links) {
        try {
            return JSON.writeValueAsBytes(EventJson.of(e, links));
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("unserializable event " + e.id(), x);
        }
    }

    @Override
    public void close() {
        sender.close();
    }
}
