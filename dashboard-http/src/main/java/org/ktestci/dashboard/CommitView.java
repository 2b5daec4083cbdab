package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /ci?commit=…}: one commit's per-test table with last good, history strip and log pane (http.md §2). */
final class CommitView {
    private static final String[][] STATUS_FILTERS = {{"passed", "Passed"}, {"failed", "Failed"},
            {"notrun", "Not run"}, {"failedToRun", "Failed to run"}, {"inprogress", "In progress"},
            {"unknown", "Unknown"}, {"all", "All"}};

    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    private final RenderedPages pages;
    private final FailureReasons reasons;
    private final KnownFailures known;

    CommitView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
        this.reasons = new FailureReasons(queries.outputDir());
        this.known = new KnownFailures(queries, queries.outputDir());
        this.pages = new RenderedPages(commits, RenderedPages.DEFAULT_MAX_BYTES);
    }

    Reply render(RequestInfo req, String shaOrPrefix) {
        String sha = commits.resolve(shaOrPrefix);
        Unavailable.check(queries, sha);
        ResultsCache.Compact results = commits.compact(sha)
                .orElseThrow(() -> HttpError.notFound("No test results for commit " + shaOrPrefix));
        String test = req.param("test").orElse("");
        Optional<TestFilter> filter = TestFilter.of(test);
        List<String> containing = List.of();
        Optional<String> branch = Optional.empty();
        List<String> walk = List.of();
        String pageKey = "";
        KnownFailures.Session knownNow = known.session();
        Map<String, List<Observation>> reruns = req.wantsJson() ? Map.of() : queries.reruns(sha);
        if (!req.wantsJson()) {
            containing = queries.branchesContaining(sha);
            branch = req.param("branch").filter(b -> !b.isEmpty()).or(containingFirst(containing));
            walk = branch.flatMap(b -> historyFrom(b, sha)).orElse(List.of());
            // Everything the page shows besides the blobs: the sha, the branches, the walk, the query.
            pageKey = String.join("\u0000", sha, String.join(",", containing), branch.orElse(""),
                    req.param("branch").orElse(""), test, Integer.toString(walk.hashCode()),
                    Integer.toString(walk.size()), knownNow.version(),
                    Integer.toString(reruns.values().stream().mapToInt(List::size).sum()));
            Optional<byte[]> cached = pages.get(pageKey);
            if (cached.isPresent()) {
                return Reply.bytes(200, Reply.HTML, cached.get());
            }
        }
        // The cached blob is in byte order of its keys already (storage.md §3; re-sorted when foreign).
        List<ResultEntry> entries = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            if (TestFilter.accepts(filter, results.names[i])) {
                entries.add(results.entry(i));
            }
        }
        Optional<CommitInfo> info = queries.commit(sha);
        String message = !results.message.isEmpty() ? results.message : info.map(CommitInfo::message).orElse("");
        Map<String, FailureReason> reasons = failureReasons(sha, entries);
        if (req.wantsJson()) {
            return Reply.prettyJson(KtestJson.commit(sha, message, entries, reasons));
        }
        KeyHistory history = new KeyHistory(commits, walk);
        String subject = message.isEmpty() ? sha : message.lines().findFirst().orElse(sha);
        // Sized for the rows up front: a 13,000-row page is about 10 MB, and doubling copies would cost as much.
        StringBuilder b = new StringBuilder(4096 + entries.size() * 900).append("<h3>").append(Html.esc(subject)).append("</h3><p class=\"meta\"><code>")
                .append(sha).append("</code>");
        info.ifPresent(c -> b.append(" · ").append(Html.esc(c.author())).append(" · ")
                .append(Instant.ofEpochSecond(c.commitTime())));
        if (!containing.isEmpty()) {
            b.append(" · branches: ").append(Html.esc(String.join(", ", containing)));
        }
        b.append("</p>").append(failureCounts(sha, entries, knownNow))
                .append(searchForm(sha, req.param("branch").orElse(""), test)).append(statusFilter())
                .append("<p id=\"live\" class=\"connection\"></p>")
                .append("<div class=\"panes\"><div class=\"left\"><table class=\"table results\" data-commit=\"")
                .append(sha).append("\" data-base=\"").append(Html.esc(base)).append("\"><thead><tr>")
                .append("<th>Test</th><th>Duration</th><th>Status</th><th>Last good</th><th>History</th><th></th>")
                .append("<th></th></tr></thead><tbody>");
        for (ResultEntry e : entries) {
            b.append(row(sha, e, branch, history, Optional.ofNullable(reasons.get(e.name())), knownNow.of(sha, e),
                    reruns.getOrDefault(e.name(), List.of())));
        }
        b.append("</tbody></table></div><div class=\"right\"><pre id=\"testlog\"></pre></div></div>");
        byte[] html = Html.page(base, subject, b.toString(), "commit.js").getBytes(StandardCharsets.UTF_8);
        pages.put(pageKey, RenderedPages.inputs(sha, results, history.inputs()), html);
        return Reply.bytes(200, Reply.HTML, html);
    }

    private static java.util.function.Supplier<Optional<String>> containingFirst(List<String> containing) {
        return () -> containing.stream().findFirst();
    }

    /** The branch's walk from {@code sha} back (index 0 = this commit), empty when the branch lacks it. */
    private Optional<List<String>> historyFrom(String branch, String sha) {
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits()).orElse(List.of());
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).sha().equals(sha)) {
                return Optional.of(log.subList(i, log.size()).stream().map(CommitInfo::sha).toList());
            }
        }
        return Optional.empty();
    }

    private String searchForm(String sha, String branch, String test) {
        StringBuilder b = new StringBuilder("<form class=\"search\" method=\"get\" action=\"").append(Html.esc(base))
                .append("/ci\"><input type=\"hidden\" name=\"user\" value=\"").append(Html.esc(queries.user()))
                .append("\"><input type=\"hidden\" name=\"commit\" value=\"").append(sha).append("\">");
        if (!branch.isEmpty()) {
            b.append("<input type=\"hidden\" name=\"branch\" value=\"").append(Html.esc(branch)).append("\">");
        }
        return b.append("<input type=\"text\" name=\"test\" placeholder=\"test name (regex)\" value=\"")
                .append(Html.esc(test)).append("\"> <button type=\"submit\">Search</button></form>").toString();
    }

    /** Only Failed to run results have a reason; the journal is asked only when the commit has some. */
    private Map<String, FailureReason> failureReasons(String sha, List<ResultEntry> entries) {
        if (entries.stream().noneMatch(e -> e.status() == Status.FAILED_TO_RUN)) {
            return Map.of();
        }
        return reasons.of(sha, entries, queries.resultDetails(sha));
    }

    /** Failures split into new ones and known issues (issue 14 item 5); nothing when none failed. */
    private static String failureCounts(String sha, List<ResultEntry> entries, KnownFailures.Session known) {
        long failed = entries.stream().filter(e -> e.status() == Status.FAILED).count();
        if (failed == 0) {
            return "";
        }
        int k = known.countKnown(sha, entries);
        return "<p class=\"failure-counts\" id=\"failure-counts\">" + failed + " failed: <span class=\"n-new\">"
                + (failed - k) + " new</span>, <span class=\"n-known\">" + k + " known</span></p>";
    }

    private String row(String sha, ResultEntry e, Optional<String> branch, KeyHistory history,
                       Optional<FailureReason> reason, Optional<KnownIssue> knownIssue, List<Observation> reruns) {
        String dir = Html.esc(base + "/c/" + sha + "/" + Html.url(e.name()));
        StringBuilder r = new StringBuilder("<tr class=\"").append(e.status().rowClass()).append("\" data-status=\"")
                .append(e.status().jsonCode()).append("\" data-key=\"").append(Html.esc(e.name()))
                .append("\"><td><a class=\"log\" href=\"").append(dir)
                .append("/log.br\">")
                .append(Html.esc(e.name())).append("</a>");
        boolean[] isNew = new boolean[1];
        Optional<String> lastPassed = history.newFailure(e.name(), isNew);
        boolean flaky = Observation.flaky(e.status(), reruns);
        if (knownIssue.isPresent()) {
            r.append(' ').append(KnownFailures.badge(knownIssue.get()));
        }
        if (!reruns.isEmpty()) {
            r.append(' ').append(rerunsBadge(dir, flaky, reruns));
        }
        if (knownIssue.isEmpty() && !flaky && isNew[0]) {
            r.append(" <span class=\"badge badge-failing\" title=\"new failure\">new</span>");
            lastPassed.ifPresent(p -> {
                String[] params = branch.isPresent() ? new String[] {"commit", p, "branch", branch.get()}
                        : new String[] {"commit", p};
                r.append(" <a class=\"last-pass\" href=\"").append(Html.ciHref(base, params))
                        .append("\" title=\"the last commit where it passed\">passed at ").append(p, 0, 12)
                        .append("</a>");
            });
        }
        reason.ifPresent(x -> r.append(reasonHtml(x)));
        r.append("</td><td class=\"duration\">").append(e.duration()).append("s</td><td class=\"status\">")
                .append(e.status().display())
                .append("</td><td>").append(history.lastGood(e.name())).append("</td><td>")
                .append(history.strip(e.name())).append("</td><td>");
        branch.ifPresent(b -> r.append(Html.link(
                Html.ciHref(base, "branch", b, "test", "^" + regexLiteral(e.name()) + "$"), "git log")));
        r.append("</td><td><a class=\"log\" href=\"").append(dir).append("/full_log.br\">full</a></td></tr>");
        return r.toString();
    }

    /**
     * The re-runs of a failure (issue 14 item 4): "flaky" when one passed, linking to the first passing re-run's
     * log, else how many re-runs failed too (a real failure).
     */
    static String rerunsBadge(String escapedDir, boolean flaky, List<Observation> reruns) {
        long passed = Observation.passed(reruns);
        String counts = passed + " of " + reruns.size() + " re-run" + (reruns.size() == 1 ? "" : "s") + " passed";
        if (!flaky) {
            return "<span class=\"reruns\" title=\"" + counts + "\">re-run " + reruns.size() + "×, failed</span>";
        }
        int first = reruns.stream().filter(o -> o.status() == Status.PASSED).findFirst().orElseThrow().n();
        return "<a class=\"badge badge-flaky\" href=\"" + escapedDir + "/rerun-" + first + ".log.br\" title=\""
                + counts + "\">flaky</a> <span class=\"reruns\">" + counts + "</span>";
    }

    /** The reason of a Failed to run result and its attempts, shown under the test's name (issue 14). */
    static String reasonHtml(FailureReason reason) {
        StringBuilder b = new StringBuilder("<div class=\"reason\">failed to run: <code class=\"reason-code\">")
                .append(Html.esc(reason.code())).append("</code>");
        if (!reason.attempts().isEmpty()) {
            b.append("<ol class=\"attempts\">");
            for (FailureReason.Attempt a : reason.attempts()) {
                b.append("<li>attempt ").append(a.attempt()).append(" on ").append(Html.esc(a.host())).append(':')
                        .append(a.slot()).append(": ").append(Html.esc(a.reason())).append(" at ")
                        .append(Html.esc(a.atText())).append(" <span class=\"lease\">lease ")
                        .append(Html.esc(a.leaseId())).append("</span></li>");
            }
            b.append("</ol>");
        }
        return b.append("</div>").toString();
    }

    /** {@code key} as a regex matching itself: every non-alphanumeric character backslash-escaped. */
    static String regexLiteral(String key) {
        StringBuilder b = new StringBuilder();
        key.codePoints().forEach(cp -> {
            if (!Character.isLetterOrDigit(cp)) {
                b.append('\\');
            }
            b.appendCodePoint(cp);
        });
        return b.toString();
    }

    private static String statusFilter() {
        StringBuilder b = new StringBuilder("<form class=\"status-filter\">");
        for (String[] o : STATUS_FILTERS) {
            b.append("<label><input type=\"radio\" name=\"status\" value=\"").append(o[0]).append('"')
                    .append("failed".equals(o[0]) ? " checked" : "").append("> ").append(o[1]).append("</label> ");
        }
        return b.append("</form>").toString();
    }
}
