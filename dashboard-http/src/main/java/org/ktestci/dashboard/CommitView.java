package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /ci?commit=…}: one commit's per-test table with last good, history strip and log pane (http.md §2). The
 * table holds one status filter's rows, a page at a time ({@link CommitRows}): failures first, passes a click away.
 */
final class CommitView {
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
        if (req.wantsJson()) {
            // ktest's shape: every matching result, whatever show and page say.
            List<ResultEntry> entries = matching(results, filter);
            return Reply.prettyJson(KtestJson.commit(sha, message(sha, results), entries,
                    failureReasons(sha, entries)));
        }
        CommitRows.Show show = CommitRows.Show.of(req.param("show"), !test.isEmpty());
        int page = CommitRows.pageParam(req.param("page"));
        KnownFailures.Session knownNow = known.session();
        Map<String, List<Observation>> reruns = queries.reruns(sha);
        Map<String, FirstBad> firstBad = queries.firstBad(sha);
        List<String> containing = queries.branchesContaining(sha);
        Optional<String> branch = req.param("branch").filter(b -> !b.isEmpty()).or(containingFirst(containing));
        List<String> walk = branch.flatMap(b -> historyFrom(b, sha)).orElse(List.of());
        // Everything the page shows besides the blobs: the sha, the branches, the walk, the query.
        String pageKey = String.join("\u0000", sha, String.join(",", containing), branch.orElse(""),
                req.param("branch").orElse(""), test, show.value, Integer.toString(page),
                req.param("user").orElse(""), Integer.toString(walk.hashCode()), Integer.toString(walk.size()),
                knownNow.version(), Integer.toString(reruns.values().stream().mapToInt(List::size).sum()),
                Integer.toString(firstBad.hashCode()));
        Optional<byte[]> cached = pages.get(pageKey);
        if (cached.isPresent()) {
            return Reply.bytes(200, Reply.HTML, cached.get());
        }
        List<ResultEntry> entries = matching(results, filter);
        CommitRows rows = CommitRows.of(entries, show, page);
        Optional<CommitInfo> info = queries.commit(sha);
        String message = message(sha, results);
        Map<String, FailureReason> reasons = failureReasons(sha, rows.rows);
        KeyHistory history = new KeyHistory(commits, walk);
        String subject = message.isEmpty() ? sha : message.lines().findFirst().orElse(sha);
        Query query = new Query(req.param("user"), sha, req.param("branch").filter(b -> !b.isEmpty()), test);
        // Sized for the rows up front: about 800 bytes each.
        StringBuilder b = new StringBuilder(4096 + rows.rows.size() * 900).append("<h3>").append(Html.esc(subject))
                .append("</h3><p class=\"meta\"><code>").append(sha).append("</code>");
        info.ifPresent(c -> b.append(" · ").append(Html.esc(c.author())).append(" · ")
                .append(Instant.ofEpochSecond(c.commitTime())));
        if (!containing.isEmpty()) {
            b.append(" · branches: ").append(Html.esc(String.join(", ", containing)));
        }
        b.append("</p>").append(failureCounts(sha, entries, knownNow))
                .append(searchForm(sha, req.param("branch").orElse(""), test)).append(statusFilter(query, rows))
                .append("<p id=\"live\" class=\"connection\"></p>")
                // The log pane comes first in the source, so it is there as soon as any row is (CSS puts it right).
                .append("<div class=\"panes commit-panes\"><div class=\"right\"><pre id=\"testlog\"></pre></div>")
                .append("<div class=\"left\">")
                .append("<table class=\"table results\" data-commit=\"").append(sha).append("\" data-base=\"")
                .append(Html.esc(base)).append("\" data-show=\"").append(rows.show.value).append("\"><thead><tr>")
                .append("<th>Test</th><th>Duration</th><th>Status</th><th>Last good</th><th>History</th><th></th>")
                .append("<th></th></tr></thead><tbody");
        rows.before.ifPresent(k -> b.append(" data-after-key=\"").append(Html.esc(k)).append('"'));
        rows.after.ifPresent(k -> b.append(" data-before-key=\"").append(Html.esc(k)).append('"'));
        b.append('>');
        for (ResultEntry e : rows.rows) {
            b.append(row(sha, e, branch, history, Optional.ofNullable(reasons.get(e.name())), knownNow.of(sha, e),
                    reruns.getOrDefault(e.name(), List.of()), Optional.ofNullable(firstBad.get(e.name()))));
        }
        b.append("</tbody></table>");
        if (rows.rows.isEmpty()) {
            b.append("<p class=\"no-rows\">").append(rows.show == CommitRows.Show.FAILURES ? "No failures."
                    : rows.show == CommitRows.Show.ALL ? "No results." : "No result is " + rows.show.label + ".")
                    .append("</p>");
        }
        b.append(pager(query, rows)).append("</div></div>");
        byte[] html = Html.pageWithEarlyScripts(base, subject, b.toString(), "commit.js")
                .getBytes(StandardCharsets.UTF_8);
        pages.put(pageKey, RenderedPages.inputs(sha, results, history.inputs()), html);
        return Reply.bytes(200, Reply.HTML, html);
    }

    /** What the page's own links keep of the request: user, commit, branch and test as given. */
    private record Query(Optional<String> user, String sha, Optional<String> branch, String test) {
        String href(String base, CommitRows.Show show, int page) {
            List<String> p = new ArrayList<>();
            user.ifPresent(u -> p.addAll(List.of("user", u)));
            p.addAll(List.of("commit", sha));
            branch.ifPresent(b -> p.addAll(List.of("branch", b)));
            if (!test.isEmpty()) {
                p.addAll(List.of("test", test));
            }
            p.addAll(List.of("show", show.value));
            if (page > 1) {
                p.addAll(List.of("page", Integer.toString(page)));
            }
            return Html.ciHref(base, p.toArray(String[]::new));
        }
    }

    /** The cached blob is in byte order of its keys already (storage.md §3; re-sorted when foreign). */
    private static List<ResultEntry> matching(ResultsCache.Compact results, Optional<TestFilter> filter) {
        List<ResultEntry> entries = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            if (TestFilter.accepts(filter, results.names[i])) {
                entries.add(results.entry(i));
            }
        }
        return entries;
    }

    private String message(String sha, ResultsCache.Compact results) {
        return !results.message.isEmpty() ? results.message
                : queries.commit(sha).map(CommitInfo::message).orElse("");
    }

    /**
     * Below the rows: "rows 1–100 of 11,700" and links to the first, previous, next and last pages (commit.js follows
     * "next" by itself as it comes into view); nothing on a single page.
     */
    private String pager(Query query, CommitRows rows) {
        if (rows.pages == 1) {
            return "";
        }
        StringBuilder b = new StringBuilder("<p class=\"pager\"><span class=\"range\">").append(rows.range())
                .append("</span> · page ").append(rows.page).append(" of ").append(rows.pages);
        pageLink(b, query, rows, 1, "first", "« first");
        pageLink(b, query, rows, rows.page - 1, "prev", "‹ previous");
        pageLink(b, query, rows, rows.page + 1, "next", "next ›");
        pageLink(b, query, rows, rows.pages, "last", "last »");
        return b.append("</p>").toString();
    }

    private void pageLink(StringBuilder b, Query query, CommitRows rows, int page, String rel, String text) {
        b.append(" · ");
        if (page < 1 || page > rows.pages || page == rows.page) {
            b.append("<span class=\"page-").append(rel).append("\">").append(text).append("</span>");
        } else {
            b.append("<a class=\"page-").append(rel).append("\" href=\"").append(query.href(base, rows.show, page))
                    .append("\">").append(text).append("</a>");
        }
    }

    private static Supplier<Optional<String>> containingFirst(List<String> containing) {
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
                       Optional<FailureReason> reason, Optional<KnownIssue> knownIssue, List<Observation> reruns,
                       Optional<FirstBad> firstBad) {
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
        firstBad.ifPresent(f -> r.append(Html.firstBad(base, f)));
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

    /**
     * The status filter: a plain GET form (its button is for browsers without scripts; commit.js swaps the rows in
     * on a change), each choice with how many rows it holds.
     */
    private String statusFilter(Query query, CommitRows rows) {
        StringBuilder b = new StringBuilder("<form class=\"status-filter\" method=\"get\" action=\"")
                .append(Html.esc(base)).append("/ci\">");
        query.user().ifPresent(u -> hidden(b, "user", u));
        hidden(b, "commit", query.sha());
        query.branch().ifPresent(br -> hidden(b, "branch", br));
        if (!query.test().isEmpty()) {
            hidden(b, "test", query.test());
        }
        for (CommitRows.Show s : CommitRows.Show.values()) {
            b.append("<label><input type=\"radio\" name=\"show\" value=\"").append(s.value).append('"')
                    .append(s == rows.show ? " checked" : "").append("> ").append(s.label)
                    .append(String.format(Locale.ROOT, " <span class=\"count\">(%,d)</span>", rows.counts.get(s)))
                    .append("</label> ");
        }
        return b.append("<button type=\"submit\">Show</button></form>").toString();
    }

    private static void hidden(StringBuilder b, String name, String value) {
        b.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(Html.esc(value))
                .append("\">");
    }
}
