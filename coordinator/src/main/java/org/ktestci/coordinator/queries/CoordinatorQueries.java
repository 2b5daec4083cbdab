package org.ktestci.coordinator.queries;

import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.dashboard.AdminActions;
import org.ktestci.dashboard.BranchSummary;
import org.ktestci.dashboard.CiQueries;
import org.ktestci.dashboard.CiUnavailable;
import org.ktestci.dashboard.EventHub;
import org.ktestci.dashboard.QueueStatus;
import org.ktestci.dashboard.ResultDetail;
import org.ktestci.dashboard.WorkerStatus;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.RegressionConfig;
import org.ktestci.schema.events.RegressionEvent;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.kcidb.KcidbExport;
import org.ktestci.schema.kcidb.KeyKernels;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The coordinator's answers to the dashboard: branches and history from git ({@link BranchHistory}), details from
 * the results index, and on a coordinator node the running singleton's live data and admin actions.
 */
public final class CoordinatorQueries implements CiQueries {
    /** On a coordinator node: workers, queue, events, and the admin actions on the running singleton. */
    public record Live(LiveQueries queries, AdminActions admin) {}

    private final BranchHistory history;
    private final Path outputDir;
    private final ResultsIndex index;
    private final Supplier<Optional<CiConfig>> config;
    private final Supplier<List<KnownIssue>> adminIssues;
    private final Optional<Live> live;

    /** Over a fixed set of branches, without a config file or a running coordinator (tests, benchmarks). */
    public CoordinatorQueries(String user, Path outputDir, int keepResultsCommits, List<BranchSpec> branches,
                              Repositories repos, BranchFetchStatus fetchStatus, ResultsIndex index) {
        List<BranchSpec> fixed = List.copyOf(branches);
        this.history = new BranchHistory(user, () -> keepResultsCommits, () -> fixed, repos, fetchStatus);
        this.outputDir = outputDir;
        this.index = index;
        this.config = Optional::empty;
        this.adminIssues = List::of;
        this.live = Optional.empty();
    }

    /**
     * {@code config}: the config in force (read at each use: a reload changes it), for what views take straight
     * from it; {@code adminIssues}: the known issues defined through the admin API (read from the journal).
     */
    public CoordinatorQueries(BranchHistory history, Path outputDir, ResultsIndex index, Supplier<CiConfig> config,
                              Supplier<List<KnownIssue>> adminIssues, Optional<Live> live) {
        this.history = history;
        this.outputDir = outputDir;
        this.index = index;
        this.config = () -> Optional.of(config.get());
        this.adminIssues = adminIssues;
        this.live = live;
    }

    /**
     * Bisection's conclusions on the branch's tracked commits, from the results index (so from the journal: the
     * same after a restart). A first bad commit that explains several newer failures of a key is one finding,
     * detected at the oldest of them.
     */
    @Override
    public List<RegressionEvent.FirstBadFound> firstBadFindings(String branch) {
        Optional<List<CommitInfo>> log = history.branchLog(branch, history.keepResultsCommits());
        if (log.isEmpty()) {
            return List.of();
        }
        Map<String, RegressionEvent.FirstBadFound> found = new LinkedHashMap<>();
        for (CommitInfo c : log.get()) { // newest first: an older detection replaces a newer one
            for (ResultRecord r : index.commit(c.sha()).values()) {
                r.bisection().ifPresent(f -> found.put(r.key() + " " + f.sha(), new RegressionEvent.FirstBadFound(
                        branch, r.key(), new RegressionEvent.CommitRef(f.sha(), f.subject(), f.author()),
                        f.good().isEmpty() ? "" : f.good().get(0), c.sha(), f.exact(), r.starttime() + r.duration())));
            }
        }
        return List.copyOf(found.values());
    }

    @Override
    public int flakeRetries() {
        return config.get().map(c -> c.regressions().flakeRetries()).orElse(RegressionConfig.DEFAULT_FLAKE_RETRIES);
    }

    /** {@code ci_url}, or its default {@code http://<ci_host>:<port><base_path>}. */
    @Override
    public Optional<String> publicUrl() {
        return config.get().map(CiConfig::ciUrl);
    }

    @Override
    public List<KnownIssue> knownIssues() {
        List<KnownIssue> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        config.get().ifPresent(c -> c.regressions().knownIssues().values().forEach(i -> {
            out.add(i);
            ids.add(i.id());
        }));
        for (KnownIssue i : adminIssues.get()) {
            if (ids.add(i.id())) {
                out.add(i); // an id the config file took over since is the config's
            }
        }
        return out;
    }

    @Override
    public Map<String, FirstBad> firstBad(String sha) {
        Map<String, FirstBad> out = new HashMap<>();
        for (ResultRecord r : index.commit(sha).values()) {
            r.bisection().ifPresent(f -> out.put(r.key(), f));
        }
        return out;
    }

    @Override
    public Map<String, List<Observation>> reruns(String sha) {
        Map<String, List<Observation>> out = new HashMap<>();
        for (ResultRecord r : index.commit(sha).values()) {
            if (!r.observations().isEmpty()) {
                out.put(r.key(), r.observations());
            }
        }
        return out;
    }

    @Override
    public int flakeWindow() {
        return config.get().map(c -> c.regressions().flakeWindow())
                .orElse(RegressionConfig.DEFAULT_FLAKE_WINDOW);
    }

    @Override
    public boolean commitContains(String sha, String ancestor) {
        return history.commitContains(sha, ancestor);
    }

    @Override
    public KcidbSettings kcidbSettings() {
        Optional<CiConfig> c = config.get();
        if (c.isEmpty()) {
            return CiQueries.super.kcidbSettings();
        }
        var cfg = c.get();
        return new KcidbSettings(cfg.regressions().kcidbOrigin(), cfg.ciUrlFromFile(),
                KeyKernels.of(cfg), name -> Optional.ofNullable(cfg.branches().get(name))
                .map(KcidbExport.Checkout::ofBranch)
                .orElse(KcidbExport.Checkout.UNKNOWN));
    }

    private Live live() {
        return live.orElseThrow(() -> new CiUnavailable("no coordinator on this node"));
    }

    @Override
    public List<WorkerStatus> workers() {
        return live().queries().workers();
    }

    @Override
    public QueueStatus queue() {
        return live().queries().queue();
    }

    @Override
    public EventHub events() {
        return live.map(l -> l.queries().events()).orElse(CiQueries.NO_EVENTS);
    }

    @Override
    public AdminActions admin() {
        return live().admin();
    }

    @Override
    public Map<String, String> unavailableCommits() {
        return index.quarantined();
    }

    @Override
    public boolean ready() {
        return live.map(l -> l.queries().ready()).orElse(false);
    }

    @Override
    public String user() {
        return history.user();
    }

    @Override
    public Path outputDir() {
        return outputDir;
    }

    @Override
    public int keepResultsCommits() {
        return history.keepResultsCommits();
    }

    @Override
    public List<BranchSummary> branches() {
        return history.branches();
    }

    @Override
    public Optional<List<CommitInfo>> branchLog(String branch, int max) {
        return history.branchLog(branch, max);
    }

    @Override
    public Optional<CommitInfo> commit(String sha) {
        return history.commit(sha);
    }

    @Override
    public List<String> branchesContaining(String sha) {
        return history.branchesContaining(sha);
    }

    @Override
    public Map<String, ResultDetail> resultDetails(String sha) {
        Map<String, ResultDetail> out = new HashMap<>();
        for (ResultRecord r : index.commit(sha).values()) {
            out.put(r.key(), detail(r));
        }
        return out;
    }

    @Override
    public Optional<ResultDetail> resultDetail(String sha, String key) {
        return index.record(sha, key).map(CoordinatorQueries::detail);
    }

    private static ResultDetail detail(ResultRecord r) {
        boolean imported = r.leaseId().isEmpty();
        return new ResultDetail(
                r.statusLine().isEmpty() ? Optional.empty() : Optional.of(r.statusLine()),
                imported ? Optional.empty() : Optional.of(r.host()),
                imported ? Optional.empty() : Optional.of(r.slot()),
                imported ? Optional.empty() : Optional.of(r.arch()),
                imported ? Optional.empty() : Optional.of(r.attempt()),
                r.starttime() > 0 ? Optional.of(r.starttime()) : Optional.empty(),
                r.run().isEmpty() ? Optional.empty() : Optional.of(r.run()), r.failureReason());
    }

    /**
     * The results index's write count (journal-side details such as host and slot can change without a blob being
     * renamed), the known issues, then settings, branch specs, each tip and fetch status.
     */
    @Override
    public Optional<String> viewsVersion() {
        return Optional.of(index.changes() + " " + knownIssues().hashCode() + " " + history.version());
    }
}
