package org.ktestci.coordinator.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The coordinator's metrics of http.md §8, registered in one Prometheus registry that {@code /metrics} exposes.
 * Names are the spec's; counters are declared without {@code _total}, which the client appends.
 */
public final class CoordinatorMetrics {
    private static final double[] LATENCY = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

    public final PrometheusRegistry registry;
    public final Counter verdicts;
    public final Counter jobsQueued;
    public final Counter jobsCancelled;
    public final Counter leasesGranted;
    public final Counter leasesEnded;
    public final Counter leaseExpiries;
    public final Counter infraFailures;
    public final Counter failedToRun;
    public final Counter staleMessages;
    /** Wire messages refused before any effect (issue 12): {@code actor}, message {@code type}, {@code reason}. */
    public final Counter protocolRejects;
    public final Counter duplicateVerdicts;
    public final Counter keyCollisions;
    public final Counter hostQuarantines;
    public final Counter fetches;
    public final Counter refills;
    public final Gauge windowPending;
    public final Gauge windowLeased;
    public final Gauge windowCapacity;
    public final Gauge pendingJobs;
    public final Gauge untestedCommits;
    public final Gauge fairShareUsage;
    public final Gauge unschedulable;
    public final Gauge slots;
    public final Gauge hosts;
    /** Not in http.md §8: journal entities that cannot recover (their commits' results are unavailable). */
    public final Gauge journalQuarantined;
    public final Info buildInfo;
    public final Histogram dispatchLatency;
    public final Histogram queueWait;
    public final Histogram vmRun;
    public final Histogram verdictVisible;
    public final Histogram commitFirstVerdict;
    /** Not in http.md §8: commit first seen at a tip to its first lease (how soon a new head starts). */
    public final Histogram commitFirstLease;
    public final Histogram refillDuration;
    /**
     * Not in http.md §8 (issue 15 item 6): one group-committed write of the job window (lease ends and grants), by
     * {@code phase}: {@code plan} (its claims planned), {@code write} (the journal write), {@code reply} (offers and
     * bookkeeping once durable).
     */
    public final Histogram windowFlush;
    /** Not in http.md §8 (issue 14 item 8): regression events announced to webhooks, by {@code type}. */
    public final Counter regressionEvents;
    /** Webhook deliveries (one per event and URL) by {@code outcome}: delivered, failed, dropped. */
    public final Counter webhookDeliveries;
    /** Webhook HTTP attempts by {@code result}: 2xx, 4xx, 5xx, error. */
    public final Counter webhookAttempts;
    public final Gauge webhookOutstanding;

    public CoordinatorMetrics(PrometheusRegistry registry, String version, int protocolVersion) {
        this.registry = registry;
        verdicts = counter("ktest_ci_verdicts", "verdicts recorded", "status");
        jobsQueued = counter("ktest_ci_jobs_queued", "jobs added to pending");
        jobsCancelled = counter("ktest_ci_jobs_cancelled", "jobs removed from pending", "reason");
        leasesGranted = counter("ktest_ci_leases_granted", "leases granted");
        leasesEnded = counter("ktest_ci_leases_ended", "leases ended", "reason");
        leaseExpiries = counter("ktest_ci_lease_expiries", "leases ended by the coordinator", "cause");
        infraFailures = counter("ktest_ci_infra_failures", "counted infrastructure failures per subtest", "reason");
        failedToRun = counter("ktest_ci_failed_to_run", "subtests finalised Failed to run");
        staleMessages = counter("ktest_ci_stale_messages", "worker messages rejected for a non-current lease",
                "type");
        protocolRejects = counter("ktest_ci_protocol_rejects", "worker messages refused for a field out of its "
                + "rules, a sender on the wrong node, or a type the actor does not take", "actor", "type", "reason");
        duplicateVerdicts = counter("ktest_ci_duplicate_verdicts", "verdicts rejected: the first verdict stands");
        keyCollisions = counter("ktest_ci_result_key_collisions", "job keys dropped for a result key collision");
        hostQuarantines = counter("ktest_ci_host_quarantines", "quarantines started", "host");
        fetches = counter("ktest_ci_fetches", "fetch attempts", "branch", "result");
        refills = counter("ktest_ci_refills", "refills", "trigger");
        windowPending = gauge("ktest_ci_window_pending", "pending jobs");
        windowLeased = gauge("ktest_ci_window_leased", "leased jobs");
        windowCapacity = gauge("ktest_ci_window_capacity", "window size");
        pendingJobs = gauge("ktest_ci_pending_jobs", "pending jobs per owning branch", "branch");
        untestedCommits = gauge("ktest_ci_untested_commits", "untested commits within depth", "branch");
        fairShareUsage = gauge("ktest_ci_fairshare_usage_seconds", "decayed dispatched seconds per branch", "branch");
        unschedulable = gauge("ktest_ci_jobs_unschedulable", "jobs skipped for lack of slots", "arch");
        slots = gauge("ktest_ci_slots", "slots by state", "state");
        hosts = gauge("ktest_ci_hosts", "hosts by state", "state");
        journalQuarantined = gauge("ktest_ci_journal_quarantined_entities",
                "journal entities that cannot recover, whose commits' results are unavailable");
        journalQuarantined.set(0);
        buildInfo = Info.builder().name("ktest_ci_build").help("build identity")
                .labelNames("version", "protocol_version").register(registry);
        buildInfo.addLabelValues(version, Integer.toString(protocolVersion));
        dispatchLatency = histogram("ktest_ci_dispatch_latency_seconds", "lease granted to BatchAccepted", LATENCY);
        queueWait = histogram("ktest_ci_queue_wait_seconds", "job queued to leased",
                new double[]{1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600, 86400});
        vmRun = histogram("ktest_ci_vm_run_seconds", "one runner iteration, start to exit",
                new double[]{10, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200}, "arch", "runner");
        verdictVisible = histogram("ktest_ci_verdict_visible_seconds", "verdict received to capnp renamed",
                new double[]{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10});
        commitFirstVerdict = histogram("ktest_ci_commit_first_verdict_seconds",
                "commit first seen at a tip to its first verdict",
                new double[]{10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600});
        commitFirstLease = histogram("ktest_ci_commit_first_lease_seconds",
                "commit first seen at a tip to its first lease",
                new double[]{1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600});
        refillDuration = histogram("ktest_ci_refill_duration_seconds", "refill computation", LATENCY);
        windowFlush = histogram("ktest_ci_window_flush_seconds", "one job window write of lease ends and grants, "
                + "by phase: plan, write (journal), reply", new double[]{.001, .0025, .005, .01, .025, .05, .1, .25, .5,
                1, 2.5, 5}, "phase");
        regressionEvents = counter("ktest_ci_regression_events", "regression events announced to webhooks", "type");
        webhookDeliveries = counter("ktest_ci_webhook_deliveries", "webhook deliveries ended", "outcome");
        webhookAttempts = counter("ktest_ci_webhook_attempts", "webhook HTTP attempts", "result");
        webhookOutstanding = gauge("ktest_ci_webhook_outstanding", "webhook deliveries waiting, in flight or backing off");
        webhookOutstanding.set(0);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    private Gauge gauge(String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    private Histogram histogram(String name, String help, double[] buckets, String... labels) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(buckets)
                .labelNames(labels).register(registry);
    }

    /** Metrics in a registry of their own (tests, benchmarks). */
    public static CoordinatorMetrics standalone() {
        return new CoordinatorMetrics(new PrometheusRegistry(), "test", 1);
    }
}
