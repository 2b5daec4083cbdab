package org.ktestci.coordinator.queries;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.ktestci.coordinator.CoordinatorHandles;
import org.ktestci.coordinator.LiveConfig;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.execution.WorkerGateway;
import org.ktestci.coordinator.maintenance.Maintenance;
import org.ktestci.coordinator.regressions.KnownIssueStore;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.HostHealth;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.dashboard.AdminActions;
import org.ktestci.dashboard.HttpError;
import org.ktestci.dashboard.WorkerStatus;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.status.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The admin API's actions on a coordinator node (http.md §6, scheduling.md §10): they ask the running
 * singleton's actors and wait (5 s, GC 120 s) for the effect, so a 200 means it happened.
 */
public final class CoordinatorAdmin implements AdminActions {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorAdmin.class);
    static final int MAX_RANGE_COMMITS = 10_000;
    private static final Duration GC_ASK = Duration.ofSeconds(120);

    /** The commits within keep_results_commits of every tracked tip (blocking: git walks). */
    @FunctionalInterface
    public interface LiveSet {
        Set<String> commits() throws IOException;
    }

    private final LiveQueries queries;
    private final LiveConfig config;
    private final ResultsIndex index;
    private final Repositories repos;
    private final LiveSet liveSet;
    /** Told after each change of the admin-defined known issues (the node's journal view reads them again). */
    private final Runnable knownIssuesChanged;

    @Override
    public KnownIssue saveKnownIssue(KnownIssue issue) {
        refuseConfigDefined(issue.id());
        KnownIssue saved = queries.<KnownIssueStore.Command, KnownIssueStore.Saved>ask(queries.refs().knownIssues(),
                r -> new KnownIssueStore.Save(issue, "admin", r), "saving known issue " + issue.id()).issue();
        LOG.info("known issue saved: id={} test={} url={}", issue.id(), issue.test(), issue.url());
        knownIssuesChanged.run();
        return saved;
    }

    @Override
    public void deleteKnownIssue(String id) {
        refuseConfigDefined(id);
        boolean existed = queries.<KnownIssueStore.Command, KnownIssueStore.Deleted>ask(queries.refs().knownIssues(),
                r -> new KnownIssueStore.Delete(id, "admin", r), "deleting known issue " + id).existed();
        if (!existed) {
            throw HttpError.notFound("Known issue " + id + " not found");
        }
        LOG.info("known issue deleted: id={}", id);
        knownIssuesChanged.run();
    }

    private void refuseConfigDefined(String id) {
        if (config.config().regressions().knownIssues().containsKey(id)) {
            throw new HttpError(409, "known issue " + id + " is defined in " + config.config().file()
                    .getFileName() + "; change it there");
        }
    }

    public CoordinatorAdmin(LiveQueries queries, LiveConfig config, ResultsIndex index, Repositories repos,
                            LiveSet liveSet, Runnable knownIssuesChanged) {
        this.queries = queries;
        this.config = config;
        this.index = index;
        this.repos = repos;
        this.liveSet = liveSet;
        this.knownIssuesChanged = knownIssuesChanged;
    }

    @Override
    public Reload reload() {
        LiveConfig.Reload r = config.reload(true);
        return new Reload(r.applied(), r.restartRequired(), r.errors());
    }

    @Override
    public Cleared rerun(Rerun request) {
        List<String> commits = request.commit().isPresent() ? List.of(resolve(request.commit().get()))
                : range(request.branch().get(), request.range().get());
        return clear(commits, r -> request.pattern().matches(r.key())
                && (request.statuses().isEmpty() || request.statuses().contains(r.status())), request.dryRun(),
                "admin_rerun");
    }

    @Override
    public int clearFailedToRun(Optional<List<String>> commits) {
        List<String> shas;
        if (commits.isPresent()) {
            shas = commits.get().stream().map(this::resolve).distinct().toList();
        } else {
            try {
                shas = new ArrayList<>(new TreeSet<>(liveSet.commits()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return clear(shas, r -> r.status() == Status.FAILED_TO_RUN, false, "admin_clear_failed_to_run").cleared();
    }

    /** Clears the matching records of each commit, refusing (409) when any of them is running right now. */
    private Cleared clear(List<String> commits, Predicate<ResultRecord> wanted, boolean dryRun,
                          String reason) {
        Map<String, List<String>> byCommit = new LinkedHashMap<>();
        for (String sha : commits) {
            List<String> keys = index.commit(sha).values().stream().filter(wanted).map(ResultRecord::key).sorted()
                    .toList();
            if (!keys.isEmpty()) {
                byCommit.put(sha, keys);
            }
        }
        CoordinatorHandles.Refs refs = queries.refs();
        JobWindow.LeaseSummary leases = queries.ask(refs.window(), JobWindow.GetLeases::new, "the leases");
        Set<String> running = new HashSet<>();
        for (LeaseGrant g : leases.leases()) {
            for (Job j : g.jobs()) {
                running.add(g.commit() + "\0" + j.resultKey());
            }
        }
        List<String> busy = new ArrayList<>();
        byCommit.forEach((sha, keys) -> keys.stream().filter(k -> running.contains(sha + "\0" + k))
                .forEach(busy::add));
        if (!busy.isEmpty()) {
            throw HttpError.withDetails(409, "keys are running", Map.of("keys", busy));
        }
        Set<String> allKeys = new TreeSet<>();
        byCommit.values().forEach(allKeys::addAll);
        int count = byCommit.values().stream().mapToInt(List::size).sum();
        if (dryRun) {
            return new Cleared(count, byCommit.size(), List.copyOf(allKeys));
        }
        int cleared = 0;
        Map<String, Set<String>> reset = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byCommit.entrySet()) {
            ResultsStore.Cleared done = queries.ask(refs.results(),
                    replyTo -> new ResultsStore.Clear(e.getKey(), e.getValue(), reason, "admin", replyTo),
                    "clearing results of " + e.getKey());
            cleared += done.keys().size();
            reset.put(e.getKey(), Set.copyOf(done.keys()));
        }
        refs.window().tell(new JobWindow.ResetResults(reset, reason));
        LOG.info("results cleared: reason={} commits={} keys={}", reason, byCommit.size(), cleared);
        return new Cleared(cleared, byCommit.size(), List.copyOf(allKeys));
    }

    /** A full sha or a unique prefix (≥ 7 hex) of a commit the coordinator holds results for. */
    String resolve(String shaOrPrefix) {
        String p = shaOrPrefix.toLowerCase(Locale.ROOT);
        if (!p.matches("[0-9a-f]{7,40}")) {
            throw HttpError.badRequest("not a commit sha or prefix of at least 7 hex digits: " + shaOrPrefix);
        }
        List<String> matches = index.commits().stream().filter(s -> s.startsWith(p)).sorted().toList();
        if (matches.isEmpty()) {
            throw HttpError.notFound("Commit " + shaOrPrefix + " not found");
        }
        if (matches.size() > 1) {
            throw HttpError.badRequest("ambiguous commit prefix " + shaOrPrefix + " (" + matches.size() + " matches)");
        }
        return matches.get(0);
    }

    /** {@code A..B}: commits reachable from B but not from A, in the branch's repo. */
    List<String> range(String branch, String range) {
        BranchSpec spec = config.branches().stream().filter(b -> b.name().equals(branch)).findFirst()
                .orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
        String[] ends = range.split("\\.\\.", 2);
        try {
            Repository repo = repos.get(spec.repoPath());
            try (RevWalk walk = new RevWalk(repo)) {
                walk.markStart(walk.parseCommit(rev(repo, ends[1])));
                walk.markUninteresting(walk.parseCommit(rev(repo, ends[0])));
                List<String> out = new ArrayList<>();
                for (RevCommit c : walk) {
                    out.add(c.getName());
                    if (out.size() > MAX_RANGE_COMMITS) {
                        throw HttpError.badRequest("range " + range + " has more than " + MAX_RANGE_COMMITS
                                + " commits");
                    }
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectId rev(Repository repo, String name) throws IOException {
        if (name.isEmpty() || name.startsWith("-")) {
            throw HttpError.badRequest("invalid revision '" + name + "'");
        }
        ObjectId id;
        try {
            id = repo.resolve(name + "^{commit}");
        } catch (RevisionSyntaxException | AmbiguousObjectException e) {
            throw HttpError.badRequest("invalid revision '" + name + "': " + e.getMessage());
        }
        if (id == null) {
            throw HttpError.badRequest("unknown revision '" + name + "'");
        }
        return id;
    }

    @Override
    public WorkerStatus quarantine(String host, long seconds) {
        queries.host(host); // 404 for a host the coordinator does not know
        queries.<JobWindow.Command, HostHealth>ask(queries.refs().window(),
                replyTo -> new JobWindow.QuarantineHost(host, seconds, replyTo), "quarantining " + host);
        return queries.host(host);
    }

    @Override
    public WorkerStatus release(String host) {
        queries.host(host);
        queries.<JobWindow.Command, HostHealth>ask(queries.refs().window(),
                replyTo -> new JobWindow.ReleaseHost(host, "admin", replyTo), "releasing " + host);
        return queries.host(host);
    }

    @Override
    public void revoke(String leaseId) {
        Boolean done = queries.askWithStatus(queries.refs().gateway(),
                replyTo -> new WorkerGateway.AdminRevoke(leaseId, replyTo), "revoking " + leaseId);
        if (!done) {
            throw HttpError.notFound("Lease " + leaseId + " is not running");
        }
    }

    @Override
    public void fetch() {
        queries.refs().watcher().tell(new BranchWatcher.FetchNow());
    }

    @Override
    public void refill() {
        queries.refs().window().tell(new JobWindow.RequestRefill("admin"));
    }

    @Override
    public List<String> gc(boolean dryRun) {
        CoordinatorHandles.Refs refs = queries.refs();
        Maintenance.Report report;
        report = queries.await(AskPattern.ask(refs.maintenance(),
                replyTo -> new Maintenance.RunNow(dryRun, replyTo), GC_ASK, queries.scheduler()), "GC", GC_ASK);
        if (report.durationKeys() < 0) {
            throw HttpError.withDetails(409, "maintenance is already running or failed; see the coordinator log",
                    Map.of());
        }
        return report.removed();
    }
}
