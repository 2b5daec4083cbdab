package org.ktestci.coordinator.queries;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.dashboard.AdminActions;
import org.ktestci.dashboard.BranchSummary;
import org.ktestci.dashboard.CiQueries;
import org.ktestci.dashboard.CiUnavailable;
import org.ktestci.dashboard.EventHub;
import org.ktestci.dashboard.QueueStatus;
import org.ktestci.dashboard.WorkerStatus;
import org.ktestci.dashboard.ResultDetail;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.git.UrlCredentials;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The coordinator's answers to the dashboard: branches and history from git, details from the results index. */
public final class CoordinatorQueries implements CiQueries {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorQueries.class);

    private final String user;
    private final Path outputDir;
    private final IntSupplier keep;
    private final Supplier<List<BranchSpec>> branches;
    private final Repositories repos;
    private final BranchFetchStatus fetchStatus;
    private final ResultsIndex index;
    private volatile Optional<LiveQueries> live = Optional.empty();
    private volatile Supplier<Optional<org.ktestci.schema.config.CiConfig>> config = Optional::empty;
    private volatile Supplier<List<KnownIssue>> adminIssues = List::of;
    /** (sha, ancestor) → contains: commits never change, so answers never expire (bounded by clearing). */
    private final Map<String, Boolean> contains = new ConcurrentHashMap<>();

    public CoordinatorQueries(String user, Path outputDir, int keepResultsCommits, List<BranchSpec> branches,
                              Repositories repos, BranchFetchStatus fetchStatus, ResultsIndex index) {
        this(user, outputDir, () -> keepResultsCommits, constant(List.copyOf(branches)), repos, fetchStatus, index);
    }

    /** {@code branches} and {@code keepResultsCommits} are read at each query: a config reload changes them. */
    public CoordinatorQueries(String user, Path outputDir, IntSupplier keepResultsCommits,
                              Supplier<List<BranchSpec>> branches, Repositories repos, BranchFetchStatus fetchStatus,
                              ResultsIndex index) {
        this.user = user;
        this.outputDir = outputDir;
        this.keep = keepResultsCommits;
        this.branches = branches;
        this.repos = repos;
        this.fetchStatus = fetchStatus;
        this.index = index;
    }

    private static <T> Supplier<T> constant(T value) {
        return () -> value;
    }

    /** On a coordinator node: workers, queue, events and the admin actions come from the running singleton. */
    public CoordinatorQueries withLive(LiveQueries l) {
        this.live = Optional.of(l);
        return this;
    }

    /** The config in force (read at each use: a reload changes it), for what views take straight from it. */
    public CoordinatorQueries withConfig(Supplier<org.ktestci.schema.config.CiConfig> c) {
        this.config = () -> Optional.of(c.get());
        return this;
    }

    /** The known issues defined through the admin API (read from the journal on coordinator nodes). */
    public CoordinatorQueries withAdminKnownIssues(Supplier<List<KnownIssue>> issues) {
        this.adminIssues = issues;
        return this;
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
    public Map<String, org.ktestci.schema.results.FirstBad> firstBad(String sha) {
        Map<String, org.ktestci.schema.results.FirstBad> out = new HashMap<>();
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
                .orElse(org.ktestci.schema.config.RegressionConfig.DEFAULT_FLAKE_WINDOW);
    }

    @Override
    public boolean commitContains(String sha, String ancestor) {
        if (sha.equals(ancestor)) {
            return true;
        }
        String key = sha + ancestor;
        Boolean known = contains.get(key);
        if (known != null) {
            return known;
        }
        boolean found = false;
        Set<Path> seen = new LinkedHashSet<>();
        for (BranchSpec b : branches.get()) {
            if (found || !seen.add(b.repoPath())) {
                continue;
            }
            try {
                Repository repo = repos.get(b.repoPath());
                ObjectId s = ObjectId.fromString(sha);
                ObjectId a = ObjectId.fromString(ancestor);
                if (repo.getObjectDatabase().has(s) && repo.getObjectDatabase().has(a)) {
                    try (RevWalk walk = new RevWalk(repo)) {
                        found = walk.isMergedInto(walk.parseCommit(a), walk.parseCommit(s));
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("ancestry check failed: repo={} commit={} ancestor={}: {}", b.repoPath(), sha, ancestor,
                        e.getMessage());
            }
        }
        if (contains.size() > 100_000) {
            contains.clear();
        }
        contains.put(key, found);
        return found;
    }

    @Override
    public KcidbSettings kcidbSettings() {
        Optional<org.ktestci.schema.config.CiConfig> c = config.get();
        if (c.isEmpty()) {
            return CiQueries.super.kcidbSettings();
        }
        var cfg = c.get();
        return new KcidbSettings(cfg.regressions().kcidbOrigin(), cfg.ciUrlFromFile(),
                org.ktestci.schema.kcidb.KeyKernels.of(cfg), name -> Optional.ofNullable(cfg.branches().get(name))
                .map(org.ktestci.schema.kcidb.KcidbExport.Checkout::ofBranch)
                .orElse(org.ktestci.schema.kcidb.KcidbExport.Checkout.UNKNOWN));
    }

    private LiveQueries live() {
        return live.orElseThrow(() -> new CiUnavailable("no coordinator on this node"));
    }

    @Override
    public List<WorkerStatus> workers() {
        return live().workers();
    }

    @Override
    public QueueStatus queue() {
        return live().queue();
    }

    @Override
    public EventHub events() {
        return live.map(LiveQueries::events).orElse(CiQueries.NO_EVENTS);
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
        return live.map(LiveQueries::ready).orElse(false);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Path outputDir() {
        return outputDir;
    }

    @Override
    public int keepResultsCommits() {
        return keep.getAsInt();
    }

    @Override
    public List<BranchSummary> branches() {
        List<BranchSummary> out = new ArrayList<>();
        for (BranchSpec b : branches.get()) {
            Optional<CommitInfo> tip = tipOf(b);
            var status = fetchStatus.of(b.name());
            out.add(new BranchSummary(b.name(), b.repoName(), UrlCredentials.mask(b.fetchUrl()) + " " + b.fetchRef(),
                    b.groups().stream().map(GroupSpec::name).toList(), tip.map(CommitInfo::sha),
                    tip.map(CommitInfo::subject), status.map(BranchFetchStatus.Entry::at),
                    status.flatMap(BranchFetchStatus.Entry::error)));
        }
        return out;
    }

    @Override
    public Optional<List<CommitInfo>> branchLog(String branch, int max) {
        Optional<BranchSpec> spec = branches.get().stream().filter(b -> b.name().equals(branch)).findFirst();
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        try {
            Repository repo = repos.get(spec.get().repoPath());
            Optional<ObjectId> tip = CommitLog.branchTip(repo, user, branch);
            return Optional.of(tip.isEmpty() ? List.of() : CommitLog.walk(repo, tip.get(), max));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<CommitInfo> commit(String sha) {
        Set<Path> seen = new LinkedHashSet<>();
        for (BranchSpec b : branches.get()) {
            if (seen.add(b.repoPath())) {
                try {
                    Optional<CommitInfo> c = CommitLog.lookup(repos.get(b.repoPath()), sha);
                    if (c.isPresent()) {
                        return c;
                    }
                } catch (IOException e) {
                    LOG.warn("commit lookup failed: repo={} commit={}: {}", b.repoPath(), sha, e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<String> branchesContaining(String sha) {
        List<String> out = new ArrayList<>();
        for (BranchSpec b : branches.get()) {
            Optional<List<CommitInfo>> log = branchLog(b.name(), keep.getAsInt());
            if (log.isPresent() && log.get().stream().anyMatch(c -> c.sha().equals(sha))) {
                out.add(b.name());
            }
        }
        return out;
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
     * Settings, branch specs (deep hash: a config reload changes it), the results index's write count (journal-side
     * details such as host and slot can change without a blob being renamed), each tip and fetch status.
     */
    @Override
    public Optional<String> viewsVersion() {
        List<BranchSpec> specs = branches.get();
        StringBuilder v = new StringBuilder().append(keep.getAsInt()).append(' ').append(specs.hashCode())
                .append(' ').append(index.changes()).append(' ').append(knownIssues().hashCode());
        for (BranchSpec b : specs) {
            v.append('|').append(b.name()).append(' ');
            try {
                v.append(CommitLog.branchTip(repos.get(b.repoPath()), user, b.name()).map(ObjectId::getName)
                        .orElse("-"));
            } catch (IOException e) {
                v.append("unreadable");
            }
            fetchStatus.of(b.name()).ifPresent(f -> v.append(' ').append(f.at()).append(' ')
                    .append(f.error().orElse("")));
        }
        return Optional.of(v.toString());
    }

    private Optional<CommitInfo> tipOf(BranchSpec b) {
        try {
            Repository repo = repos.get(b.repoPath());
            Optional<ObjectId> tip = CommitLog.branchTip(repo, user, b.name());
            return tip.isEmpty() ? Optional.empty() : CommitLog.lookup(repo, tip.get().getName());
        } catch (IOException e) {
            LOG.warn("cannot read tip: branch={}: {}", b.name(), e.getMessage());
            return Optional.empty();
        }
    }
}
