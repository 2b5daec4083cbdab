package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.results.ShortDuration;
import org.ktestci.schema.run.ReproScript;
import org.ktestci.schema.run.RunInfo;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/** {@code /ci?branch=…}: ktest's git-log view with per-commit counts, or the single-test layout (http.md §2). */
final class BranchView {
    /** The walk stops after more than this many consecutive commits without (matching) results. */
    static final int MAX_UNTESTED_RUN = 100;

    private final CiQueries queries;
    private final Commits commits;
    private final String base;
    private final KnownFailures known;
    private final FlakyView flaky;

    BranchView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
        this.known = new KnownFailures(queries, queries.outputDir());
        this.flaky = new FlakyView(queries, commits, base);
    }

    /**
     * One walked commit: its cached blob (empty when it has no results) and the indexes of the entries the test
     * filter matches ({@code null}: no filter, all of them).
     */
    record Row(CommitInfo commit, String message, Optional<ResultsCache.Compact> blob, int[] matching) {
        int size() {
            return blob.isEmpty() ? 0 : matching == null ? blob.get().size() : matching.length;
        }

        boolean tested() {
            return size() > 0;
        }

        ResultEntry entry(int n) {
            return blob.get().entry(matching == null ? n : matching[n]);
        }

        List<ResultEntry> entries() {
            List<ResultEntry> out = new ArrayList<>(size());
            for (int n = 0; n < size(); n++) {
                out.add(entry(n));
            }
            return out;
        }

        CountRow counts() {
            return matching == null ? blob.get().counts() : CountRow.of(entries());
        }
    }

    Reply render(RequestInfo req, String branch) {
        String test = req.param("test").orElse("");
        Optional<TestFilter> filter = TestFilter.of(test);
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits())
                .orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
        List<Row> rows = rows(log, filter);
        if (req.wantsJson()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Row r : rows) {
                if (r.tested()) {
                    out.add(KtestJson.branchEntry(r.commit().sha(), r.message(), r.entries()));
                }
            }
            return Reply.prettyJson(out);
        }
        boolean single = filter.isPresent() && rows.stream().allMatch(r -> r.size() <= 1);
        String body = header(branch, test) + (single ? singleTest(branch, rows) : multiTest(branch, rows));
        return Reply.html(Html.page(base, branch, new Html.Feed(feedHref(branch), branch + " regressions (Atom)"),
                body));
    }

    private String feedHref(String branch) {
        return Html.esc(base + "/ci/feed?branch=" + Html.url(branch));
    }

    /** The walk of http.md §2: stop after > 100 consecutive untested commits, drop the trailing untested ones. */
    private List<Row> rows(List<CommitInfo> log, Optional<TestFilter> filter) {
        List<Row> rows = new ArrayList<>();
        int untestedRun = 0;
        for (CommitInfo c : log) {
            Optional<ResultsCache.Compact> blob = commits.compact(c.sha());
            int[] matching = null;
            if (filter.isPresent() && blob.isPresent()) {
                ResultsCache.Compact b = blob.get();
                int[] idx = new int[b.size()];
                int n = 0;
                for (int i = 0; i < b.size(); i++) {
                    if (filter.get().matches(b.names[i])) {
                        idx[n++] = i;
                    }
                }
                matching = Arrays.copyOf(idx, n);
            }
            String message = blob.map(b -> b.message).filter(m -> !m.isEmpty()).orElse(c.message());
            Row row = new Row(c, message, blob, matching);
            rows.add(row);
            untestedRun = row.tested() ? 0 : untestedRun + 1;
            if (untestedRun > MAX_UNTESTED_RUN) {
                break;
            }
        }
        while (!rows.isEmpty() && !rows.get(rows.size() - 1).tested()) {
            rows.remove(rows.size() - 1);
        }
        return rows;
    }

    private String header(String branch, String test) {
        return "<h1>" + Html.esc(branch) + flaky.badge(branch) + " <a class=\"feed-link\" id=\"feed-link\" href=\""
                + feedHref(branch) + "\" title=\"new failures, fixes and first bad commits as an Atom feed\">feed</a>"
                + "</h1><form class=\"search\" method=\"get\" action=\"" + Html.esc(base)
                + "/ci\"><input type=\"hidden\" name=\"user\" value=\"" + Html.esc(queries.user()) + "\">"
                + "<input type=\"hidden\" name=\"branch\" value=\"" + Html.esc(branch) + "\">"
                + "<input type=\"text\" name=\"test\" placeholder=\"test name (regex)\" value=\"" + Html.esc(test)
                + "\"> <button type=\"submit\">Search</button></form>";
    }

    private String multiTest(String branch, List<Row> rows) {
        List<Svg.Bar> bars = new ArrayList<>();
        for (Row r : rows) {
            if (r.tested()) {
                CountRow c = r.counts();
                bars.add(new Svg.Bar(r.commit().sha(), r.commit().subject(), c.passed(), c.failed()));
            }
        }
        StringBuilder b = new StringBuilder("<figure class=\"chart\">").append(Svg.passRate(bars, base, branch))
                .append("<figcaption>pass rate per tested commit (passed / (passed + failed)), oldest left</figcaption>")
                .append("</figure>")
                .append("<table class=\"table log\"><thead><tr><th>Commit</th><th>Description</th>")
                .append("<th>Passed</th><th>Failed</th><th>Failed to run</th><th>Not run</th><th>In progress</th>")
                .append("<th>Unknown</th><th>Total</th><th>Duration</th></tr></thead><tbody>");
        Map<String, String> unavailable = queries.unavailableCommits();
        KnownFailures.Session knownNow = known.session();
        forEachTested(rows, b, 10, (r, i) -> {
            CountRow c = r.counts();
            int k = c.failed() == 0 ? 0 : knownNow.countKnown(r.commit().sha(), r.entries());
            b.append("<tr><td>").append(commitLink(branch, r.commit().sha())).append("</td><td>")
                    .append(Html.esc(r.commit().subject()))
                    .append(unavailable.containsKey(r.commit().sha()) ? Unavailable.BADGE : "")
                    .append("</td><td class=\"n-passed\">").append(c.passed())
                    .append("</td><td class=\"n-failed\">").append(c.failed())
                    .append(k == 0 ? "" : " <span class=\"n-known\">(" + k + " known)</span>").append("</td><td>")
                    .append(c.failedToRun()).append("</td><td>").append(c.notrun()).append("</td><td>")
                    .append(c.inprogress()).append("</td><td>").append(c.unknown()).append("</td><td>")
                    .append(c.total()).append("</td><td>").append(c.duration()).append("s</td></tr>");
        });
        return b.append("</tbody></table>").toString();
    }

    /** Renders each tested row (with its index in the walk), collapsing each run of untested commits into one row. */
    private static void forEachTested(List<Row> rows, StringBuilder b, int columns, BiConsumer<Row, Integer> render) {
        int untested = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (!r.tested()) {
                untested++;
                continue;
            }
            if (untested > 0) {
                b.append("<tr class=\"untested\"><td colspan=\"").append(columns).append("\">(").append(untested)
                        .append(" untested commits)</td></tr>");
                untested = 0;
            }
            render.accept(r, i);
        }
    }

    private String singleTest(String branch, List<Row> rows) {
        int passed = 0;
        int failed = 0;
        long completedDuration = 0;
        List<Optional<Status>> history = new ArrayList<>();
        List<Svg.Cell> cells = new ArrayList<>();
        for (Row r : rows) {
            Optional<ResultEntry> e = r.tested() ? Optional.of(r.entry(0)) : Optional.empty();
            history.add(e.map(ResultEntry::status));
            cells.add(new Svg.Cell(r.commit().sha(), e.map(ResultEntry::status)));
            if (e.isPresent() && (e.get().status() == Status.PASSED || e.get().status() == Status.FAILED)) {
                completedDuration += e.get().duration();
                if (e.get().status() == Status.PASSED) {
                    passed++;
                } else {
                    failed++;
                }
            }
        }
        FailureRun run = FailureRun.of(history);
        int completed = passed + failed;
        StringBuilder b = new StringBuilder("<p class=\"summary\">").append(completed).append(" completed runs: ")
                .append(passed).append(" passed (").append(pct(passed, completed)).append("%), ").append(failed)
                .append(" failed (").append(pct(failed, completed)).append("%); average duration ")
                .append(ShortDuration.of(completed == 0 ? 0 : completedDuration / completed)).append("</p>")
                .append("<figure class=\"chart\">").append(Svg.strip(cells, base, "branch", branch))
                .append("<figcaption>history, newest left</figcaption></figure>")
                .append("<table class=\"table log\"><thead><tr><th>Commit</th><th>Description</th><th>Status</th>")
                .append("<th>Duration</th><th></th></tr></thead><tbody>");
        forEachTested(rows, b, 5, (r, i) -> {
            ResultEntry e = r.entry(0);
            String c = r.commit().sha();
            boolean firstFailing = run.firstFailing().isPresent() && run.firstFailing().getAsInt() == i;
            boolean lastPassing = run.lastPassing().isPresent() && run.lastPassing().getAsInt() == i;
            String dir = Html.esc(base + "/c/" + c + "/" + Html.url(e.name()));
            b.append("<tr class=\"").append(e.status().rowClass()).append(firstFailing ? " first-failing" : "")
                    .append("\"><td>").append(commitLink(branch, c)).append("</td><td>")
                    .append(Html.esc(r.commit().subject()));
            if (firstFailing) {
                b.append(" <span class=\"badge badge-failing\">first failing</span>");
            }
            if (lastPassing) {
                b.append(" <span class=\"badge badge-passing\">last passing</span>");
            }
            if (e.status() == Status.FAILED) {
                Optional.ofNullable(queries.firstBad(c).get(e.name())).ifPresent(f -> b.append(Html.firstBad(base, f)));
            }
            b.append("</td><td>").append(e.status().display()).append("</td><td>").append(e.duration())
                    .append("s</td><td><a href=\"").append(dir).append("/log.br\">log</a> <a href=\"").append(dir)
                    .append("/full_log.br\">full log</a> <a href=\"").append(dir).append("/\">output directory</a>")
                    .append(reproHtml(c, e.name())).append("</td></tr>");
        });
        return b.append("</tbody></table>").toString();
    }

    /**
     * How to reproduce the run behind this verdict (issue 14 item 2): the images and a script to paste, folded
     * into a {@code <details>} so the table stays one line per commit. Nothing without journal details.
     */
    private String reproHtml(String sha, String key) {
        Optional<String> run = queries.resultDetail(sha, key).flatMap(ResultDetail::run);
        if (run.isEmpty()) {
            return "";
        }
        RunInfo info = RunInfo.parse(run.get());
        return "<details class=\"repro\"><summary>reproduce</summary><pre>"
                + Html.esc(ReproScript.render(sha, key, info)) + "</pre></details>";
    }

    private static String pct(int n, int of) {
        return String.format(Locale.ROOT, "%.1f", of == 0 ? 0.0 : 100.0 * n / of);
    }

    private String commitLink(String branch, String sha) {
        return "<a href=\"" + Html.ciHref(base, "commit", sha, "branch", branch) + "\"><code>" + sha.substring(0, 14)
                + "</code></a>";
    }
}
