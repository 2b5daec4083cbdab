package org.ktestci.dashboard;

import org.ktestci.schema.config.RegressionConfig;
import org.ktestci.schema.events.RegressionEvent;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.kcidb.KcidbExport;
import org.ktestci.schema.kcidb.KeyKernels;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The narrow view of the coordinator that the dashboard reads through. Static results come from
 * {@link #outputDir()}; everything else (branches, git history, journal details) comes from here.
 * Implementations may block (git, files): callers run them on a blocking executor, never on an actor thread.
 */
public interface CiQueries {
    /** The single configured user (answers {@code ?user=}). */
    String user();

    Path outputDir();

    /** History depth of branch views and {@code /api/v1} walks. */
    int keepResultsCommits();

    /** Tracked branches in config file order. */
    List<BranchSummary> branches();

    /** Up to {@code max} commits from the branch tip, newest first; empty when the branch is unknown. */
    Optional<List<CommitInfo>> branchLog(String branch, int max);

    /** The commit from the configured repos, if any repo has it. */
    Optional<CommitInfo> commit(String sha);

    /** Branches whose last {@code keepResultsCommits()} commits contain {@code sha}, in config order. */
    List<String> branchesContaining(String sha);

    /** Journal-side details of a commit's results (host, slot, status line …), keyed by result key. */
    Map<String, ResultDetail> resultDetails(String sha);

    /** The details of one result: views that show one key per commit need not build a commit's whole map. */
    default Optional<ResultDetail> resultDetail(String sha, String key) {
        return Optional.ofNullable(resultDetails(sha).get(key));
    }

    /**
     * A value that changes whenever anything the result views read, other than {@code output_dir}, changes: the
     * tracked branches and their tips, the settings the views use, fetch status, journal-side result details.
     * Asked on every request for a kept page, so it must be cheap (ref reads, no history walks). Empty: views are
     * not kept (the dashboard's page cache).
     */
    default Optional<String> viewsVersion() {
        return Optional.empty();
    }

    /**
     * What the KCIDB export needs from the config (issue 14 item 7): {@code kcidb_origin}, {@code ci_url} when the
     * file sets it, the kernel of each result key, and a tracked branch's fetch source by branch name.
     */
    record KcidbSettings(String origin, Optional<String> publicUrl, KeyKernels kernels,
                         Function<String, KcidbExport.Checkout> checkoutOf) {
    }

    default KcidbSettings kcidbSettings() {
        return new KcidbSettings(RegressionConfig.DEFAULT_ORIGIN, Optional.empty(),
                new KeyKernels(), b -> KcidbExport.Checkout.UNKNOWN);
    }

    /**
     * The known issues (issue 14 item 5), config ones first in file order, then those defined through the admin
     * API by id. Cheap: asked for every view that shows failures.
     */
    default List<KnownIssue> knownIssues() {
        return List.of();
    }

    /**
     * The re-runs observed after a verdict (issue 14 item 4) of the commit's keys that have any, oldest first;
     * empty without a journal. Cheap: asked for every commit page.
     */
    default Map<String, List<Observation>> reruns(String sha) {
        return Map.of();
    }

    /**
     * What bisecting each failure of the commit found (issue 14 item 3), by key; empty without a journal. Cheap:
     * asked for every commit page and every row of a test's history.
     */
    default Map<String, FirstBad> firstBad(String sha) {
        return Map.of();
    }

    /** {@code flake_window}: the commits of a branch a flake rate is computed over. */
    default int flakeWindow() {
        return 20;
    }

    /** {@code flake_retries}: a new failure is announced once this many re-runs of it exist (or one passed). */
    default int flakeRetries() {
        return RegressionConfig.DEFAULT_FLAKE_RETRIES;
    }

    /**
     * Bisection's conclusions on a branch (issue 14 item 3), for the feed; the coordinator answers them from its
     * {@link org.ktestci.schema.events.FirstBadSource}.
     */
    default List<RegressionEvent.FirstBadFound> firstBadFindings(String branch) {
        return List.of();
    }

    /**
     * The public root of the dashboard ({@code ci_url}, base path included) that feed links are made absolute
     * with; empty: links are relative to the base path.
     */
    default Optional<String> publicUrl() {
        return Optional.empty();
    }

    /** Whether commit {@code sha} contains {@code ancestor} (is it, or descends from it) in a configured repo. */
    default boolean commitContains(String sha, String ancestor) {
        return false;
    }

    /** Worker hosts and their slots; throws {@link CiUnavailable} when the coordinator cannot answer. */
    default List<WorkerStatus> workers() {
        throw new CiUnavailable("no coordinator on this node");
    }

    /** The job window; throws {@link CiUnavailable} when the coordinator cannot answer. */
    default QueueStatus queue() {
        throw new CiUnavailable("no coordinator on this node");
    }

    /** This node's live events (SSE); a node without a coordinator has a hub nobody publishes to. */
    default EventHub events() {
        return NO_EVENTS;
    }

    /** The admin actions; throws {@link CiUnavailable} when the coordinator cannot answer. */
    default AdminActions admin() {
        throw new CiUnavailable("no coordinator on this node");
    }

    /**
     * Commits whose results cannot be read back from the journal (their entity is quarantined, storage.md §7.1),
     * each with a short reason: their views answer 503 and say so, {@code /readyz} lists them.
     */
    default Map<String, String> unavailableCommits() {
        return Map.of();
    }

    /** {@code /readyz}: the coordinator runs here and its journal answers. */
    default boolean ready() {
        return false;
    }

    EventHub NO_EVENTS = new EventHub();
}
