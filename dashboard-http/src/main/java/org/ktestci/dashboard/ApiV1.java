package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.run.ReproScript;
import org.ktestci.schema.run.RunInfo;
import org.ktestci.schema.status.Status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read-only {@code /api/v1} documents of git and results: branches, their commits, one commit (http.md §5.1–5.3). */
final class ApiV1 {
    private final CiQueries queries;
    private final Commits commits;
    private final String base;
    private final FailureReasons reasons;
    private final KnownFailures known;

    ApiV1(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
        this.reasons = new FailureReasons(queries.outputDir());
        this.known = new KnownFailures(queries, queries.outputDir());
    }

    Reply branches() {
        Optional<QueueStatus> queue;
        try {
            queue = Optional.of(queries.queue());
        } catch (CiUnavailable e) {
            queue = Optional.empty();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (BranchSummary b : queries.branches()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("repo", b.repo());
            m.put("fetch", b.fetch());
            m.put("test_groups", b.testGroups());
            m.put("tip", b.tip().orElse(null));
            m.put("tip_subject", b.tipSubject().orElse(null));
            m.put("last_fetch", b.lastFetch().map(t -> t.truncatedTo(ChronoUnit.SECONDS).toString()).orElse(null));
            m.put("last_fetch_error", b.lastFetchError().orElse(null));
            m.put("untested_commits", queries.branchLog(b.name(), queries.keepResultsCommits())
                    .map(commits::untested).orElse(null));
            // The queue lives in the coordinator singleton: null where this node cannot ask it.
            m.put("pending_jobs", queue.map(q -> q.pendingByBranch().getOrDefault(b.name(), 0)).orElse(null));
            m.put("leased_jobs", queue.map(q -> q.leasedByBranch().getOrDefault(b.name(), 0)).orElse(null));
            out.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("user", queries.user());
        doc.put("branches", out);
        return Reply.json(200, doc);
    }

    /** http.md §5.2: every walked commit, tested or not, newest first, paged by the last sha returned. */
    /** Where a page of {@code log} starts: after the {@code cursor} commit (400 if unknown), else at 0. */
    static int cursorStart(RequestInfo req, List<CommitInfo> log) {
        Optional<String> cursor = req.param("cursor").filter(c -> !c.isEmpty());
        if (cursor.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).sha().equals(cursor.get())) {
                return i + 1;
            }
        }
        throw HttpError.badRequest("unknown cursor " + cursor.get());
    }

    Reply branchCommits(RequestInfo req, String branch) {
        int limit = limit(req);
        Optional<TestFilter> filter = TestFilter.of(req.param("test").orElse(""));
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits())
                .orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
        int start = cursorStart(req, log);
        int end = Math.min(log.size(), start + limit);
        List<Map<String, Object>> commits = new ArrayList<>();
        KnownFailures.Session knownNow = known.session();
        for (CommitInfo c : log.subList(start, end)) {
            List<ResultEntry> entries = commits(c.sha()).stream()
                    .filter(e -> TestFilter.accepts(filter, e.name())).toList();
            CountRow n = CountRow.of(entries);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("commit", c.sha());
            m.put("subject", c.subject());
            m.put("message", c.message());
            m.put("author", c.author());
            m.put("time", Instant.ofEpochSecond(c.commitTime()).toString());
            m.put("tested", !entries.isEmpty());
            m.put("passed", n.passed());
            m.put("failed", n.failed());
            int k = n.failed() == 0 ? 0 : knownNow.countKnown(c.sha(), entries);
            m.put("failed_new", n.failed() - k);
            m.put("failed_known", k);
            m.put("notrun", n.notrun());
            m.put("failed_to_run", n.failedToRun());
            m.put("inprogress", n.inprogress());
            m.put("unknown", n.unknown());
            m.put("total", n.total());
            m.put("duration", n.duration());
            commits.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("branch", branch);
        doc.put("commits", commits);
        doc.put("next_cursor", end < log.size() && end > start ? log.get(end - 1).sha() : null);
        return Reply.json(200, doc);
    }

    private List<ResultEntry> commits(String sha) {
        return this.commits.results(sha).map(CommitResults::entries).orElse(List.of());
    }

    static int limit(RequestInfo req) {
        String raw = req.param("limit").orElse("50");
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= 500) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error
        }
        throw HttpError.badRequest("limit must be between 1 and 500, got " + raw);
    }

    /** The {@code repro} object: the run's parts and a script that re-runs it (issue 14 item 2). */
    static Map<String, Object> repro(String sha, String key, String run) {
        RunInfo info = RunInfo.parse(run);
        return info.toJson(ReproScript.render(sha, key, info));
    }

    /** {@code GET /api/v1/known-issues}: every known issue, config ones first. */
    Reply knownIssues() {
        List<Map<String, Object>> out = new ArrayList<>();
        queries.knownIssues().forEach(i -> out.add(i.toJson()));
        return Reply.json(200, Map.of("known_issues", out));
    }

    Reply commit(RequestInfo req, String shaOrPrefix) {
        String sha = commits.resolve(shaOrPrefix);
        Unavailable.check(queries, sha);
        CommitResults results = commits.results(sha)
                .orElseThrow(() -> HttpError.notFound("No test results for commit " + shaOrPrefix));
        Optional<TestFilter> filter = TestFilter.of(req.param("test").orElse(""));
        Map<String, ResultDetail> details = queries.resultDetails(sha);
        Map<String, Object> counts = new LinkedHashMap<>();
        List<ResultEntry> entries = results.entries().stream()
                .filter(e -> TestFilter.accepts(filter, e.name())).toList();
        CountRow c = CountRow.of(entries);
        counts.put("passed", c.passed());
        counts.put("failed", c.failed());
        KnownFailures.Session knownNow = known.session();
        int knownCount = knownNow.countKnown(sha, entries);
        counts.put("failed_new", c.failed() - knownCount);
        counts.put("failed_known", knownCount);
        Map<String, List<Observation>> reruns = queries.reruns(sha);
        Map<String, FirstBad> firstBad = queries.firstBad(sha);
        counts.put("failed_flaky", entries.stream()
                .filter(e -> Observation.flaky(e.status(), reruns.getOrDefault(e.name(), List.of()))).count());
        counts.put("notrun", c.notrun());
        counts.put("failed_to_run", c.failedToRun());
        counts.put("inprogress", c.inprogress());
        counts.put("unknown", c.unknown());
        Map<String, FailureReason> reasons = this.reasons.of(sha, entries, details);
        List<Map<String, Object>> tests = new ArrayList<>();
        for (ResultEntry e : entries) {
            Optional<ResultDetail> d = Optional.ofNullable(details.get(e.name()));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("status", e.status().jsonCode());
            t.put("status_line", d.flatMap(ResultDetail::statusLine).orElse(null));
            t.put("duration", e.duration());
            t.put("starttime", d.flatMap(ResultDetail::startedAtEpochSeconds)
                    .or(() -> e.starttime() > 0 ? Optional.of(e.starttime()) : Optional.empty())
                    .map(s -> Instant.ofEpochSecond(s).toString()).orElse(null));
            t.put("host", d.flatMap(ResultDetail::host).orElse(null));
            t.put("slot", d.flatMap(ResultDetail::slot).orElse(null));
            t.put("arch", d.flatMap(ResultDetail::arch).orElse(null));
            t.put("attempt", d.flatMap(ResultDetail::attempt).orElse(null));
            t.put("run", d.flatMap(ResultDetail::run).orElse(null));
            t.put("repro", d.flatMap(ResultDetail::run).map(run -> repro(sha, e.name(), run)).orElse(null));
            t.put("known_issue", knownNow.of(sha, e).map(KnownIssue::refJson).orElse(null));
            t.put("reason", Optional.ofNullable(reasons.get(e.name()))
                    .map(FailureReason::toJson).orElse(null));
            // In progress has no logs yet: absent values are null (§5).
            String dir = base + "/c/" + sha + "/" + Html.url(e.name());
            List<Observation> observed = reruns.getOrDefault(e.name(), List.of());
            List<Map<String, Object>> runs = new ArrayList<>();
            for (Observation o : observed) {
                Map<String, Object> r = o.toJson();
                r.put("log_url", dir + "/rerun-" + o.n() + ".log.br");
                runs.add(r);
            }
            t.put("reruns", runs);
            t.put("flaky", Observation.flaky(e.status(), observed));
            t.put("first_bad", Optional.ofNullable(firstBad.get(e.name()))
                    .map(FirstBad::toJson).orElse(null));
            t.put("log_url", e.status() == Status.INPROGRESS ? null : dir + "/log.br");
            t.put("full_log_url", e.status() == Status.INPROGRESS ? null : dir + "/full_log.br");
            tests.add(t);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("commit", sha);
        doc.put("message", results.message().isEmpty()
                ? queries.commit(sha).map(CommitInfo::message).orElse("") : results.message());
        List<String> containing = queries.branchesContaining(sha);
        doc.put("repo", containing.isEmpty() ? null : queries.branches().stream()
                .filter(b -> b.name().equals(containing.get(0))).map(BranchSummary::repo).findFirst().orElse(null));
        doc.put("branches", containing);
        doc.put("counts", counts);
        doc.put("tests", tests);
        return Reply.json(200, doc);
    }
}
