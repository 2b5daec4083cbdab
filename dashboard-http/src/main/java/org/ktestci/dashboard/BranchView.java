package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code /ci?branch=…}: ktest's git-log view with per-commit counts, or the single-test layout (http.md §2). */
final class BranchView {
    private static final int MAX_UNTESTED_RUN = 100;

    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    BranchView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    /** One walked commit and its matching entries (empty when it has no results). */
    record Row(CommitInfo commit, String message, List<ResultEntry> entries) {
        boolean tested() {
            return !entries.isEmpty();
        }
    }

    Reply render(RequestInfo req, String branch) {
        Optional<TestFilter> filter = TestFilter.of(req.param("test").orElse(""));
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
        boolean single = filter.isPresent() && rows.stream().allMatch(r -> r.entries().size() <= 1);
        String body = header(branch, req.param("test").orElse("")) + (single ? singleTest(rows) : multiTest(rows));
        return Reply.html(Html.page(base, branch, body));
    }

    private List<Row> rows(List<CommitInfo> log, Optional<TestFilter> filter) {
        List<Row> rows = new ArrayList<>();
        int untestedRun = 0;
        for (CommitInfo c : log) {
            Optional<CommitResults> res = commits.results(c.sha());
            List<ResultEntry> entries = res.map(r -> r.entries().stream()
                    .filter(e -> filter.map(f -> f.matches(e.name())).orElse(true)).toList()).orElse(List.of());
            String message = res.map(CommitResults::message).filter(m -> !m.isEmpty()).orElse(c.message());
            rows.add(new Row(c, message, entries));
            untestedRun = entries.isEmpty() ? untestedRun + 1 : 0;
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
        return "<h1>" + Html.esc(branch) + "</h1><form method=\"get\" action=\"" + Html.esc(base) + "/ci\">"
                + "<input type=\"hidden\" name=\"user\" value=\"" + Html.esc(queries.user()) + "\">"
                + "<input type=\"hidden\" name=\"branch\" value=\"" + Html.esc(branch) + "\">"
                + "<input type=\"text\" name=\"test\" placeholder=\"test name (regex)\" value=\"" + Html.esc(test)
                + "\"> <button type=\"submit\">Search</button></form>";
    }

    private String multiTest(List<Row> rows) {
        StringBuilder b = new StringBuilder("<table class=\"table\"><thead><tr><th>Commit</th><th>Description</th>")
                .append("<th>Passed</th><th>Failed</th><th>Failed to run</th><th>Not run</th><th>In progress</th>")
                .append("<th>Unknown</th><th>Total</th><th>Duration</th></tr></thead><tbody>");
        forEachTested(rows, b, r -> {
            CountRow c = CountRow.of(r.entries());
            b.append("<tr><td>").append(commitLink(r.commit().sha())).append("</td><td>")
                    .append(Html.esc(r.commit().subject())).append("</td><td class=\"n-passed\">").append(c.passed())
                    .append("</td><td class=\"n-failed\">").append(c.failed()).append("</td><td>").append(c.failedToRun())
                    .append("</td><td>").append(c.notrun()).append("</td><td>").append(c.inprogress()).append("</td><td>")
                    .append(c.unknown()).append("</td><td>").append(c.total()).append("</td><td>").append(c.duration())
                    .append("s</td></tr>");
        });
        return b.append("</tbody></table>").toString();
    }

    /** Renders each tested row, collapsing every run of untested commits before it into one row. */
    private static void forEachTested(List<Row> rows, StringBuilder b, java.util.function.Consumer<Row> render) {
        int untested = 0;
        for (Row r : rows) {
            if (!r.tested()) {
                untested++;
                continue;
            }
            if (untested > 0) {
                b.append(untestedRow(untested));
                untested = 0;
            }
            render.accept(r);
        }
    }

    private static String untestedRow(int n) {
        return "<tr class=\"untested\"><td colspan=\"10\">(" + n + " untested commits)</td></tr>";
    }

    private String singleTest(List<Row> rows) {
        int passed = 0;
        int failed = 0;
        long completedDuration = 0;
        for (Row r : rows) {
            for (ResultEntry e : r.entries()) {
                if (e.status() == Status.PASSED || e.status() == Status.FAILED) {
                    completedDuration += e.duration();
                    if (e.status() == Status.PASSED) {
                        passed++;
                    } else {
                        failed++;
                    }
                }
            }
        }
        int completed = passed + failed;
        StringBuilder b = new StringBuilder("<p class=\"summary\">").append(completed).append(" completed runs: ")
                .append(passed).append(" passed (").append(pct(passed, completed)).append("%), ").append(failed)
                .append(" failed (").append(pct(failed, completed)).append("%); average duration ")
                .append(Html.shortDuration(completed == 0 ? 0 : completedDuration / completed)).append("</p>")
                .append("<table class=\"table\"><thead><tr><th>Commit</th><th>Description</th><th>Status</th>")
                .append("<th>Duration</th><th></th></tr></thead><tbody>");
        forEachTested(rows, b, r -> {
            ResultEntry e = r.entries().get(0);
            String c = r.commit().sha();
            String dir = Html.esc(base) + "/c/" + c + "/" + Html.url(e.name());
            b.append("<tr class=\"").append(e.status().rowClass()).append("\"><td>").append(commitLink(c))
                    .append("</td><td>").append(Html.esc(r.commit().subject())).append("</td><td>")
                    .append(e.status().display()).append("</td><td>").append(e.duration()).append("s</td><td>")
                    .append("<a href=\"").append(dir).append("/log.br\">log</a> <a href=\"").append(dir)
                    .append("/full_log.br\">full log</a> <a href=\"").append(dir).append("/\">output directory</a>")
                    .append("</td></tr>");
        });
        return b.append("</tbody></table>").toString();
    }

    private static String pct(int n, int of) {
        return String.format(Locale.ROOT, "%.1f", of == 0 ? 0.0 : 100.0 * n / of);
    }

    private String commitLink(String sha) {
        return "<a href=\"" + Html.esc(base) + "/ci?commit=" + sha + "\"><code>" + sha.substring(0, 14)
                + "</code></a>";
    }
}
