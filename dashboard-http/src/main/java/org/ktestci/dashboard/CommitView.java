package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code /ci?commit=…}: one commit's per-test table with last good, history strip and log pane (http.md §2). */
final class CommitView {
    private static final int HISTORY = 20;

    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    CommitView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    Reply render(RequestInfo req, String shaOrPrefix) {
        String sha = commits.resolve(shaOrPrefix);
        CommitResults results = commits.results(sha)
                .orElseThrow(() -> HttpError.notFound("no test results for commit " + shaOrPrefix));
        Optional<TestFilter> filter = TestFilter.of(req.param("test").orElse(""));
        List<ResultEntry> entries = results.entries().stream()
                .filter(e -> filter.map(f -> f.matches(e.name())).orElse(true)).toList();
        Optional<CommitInfo> info = queries.commit(sha);
        String message = !results.message().isEmpty() ? results.message() : info.map(CommitInfo::message).orElse("");
        if (req.wantsJson()) {
            return Reply.prettyJson(KtestJson.commit(sha, message, entries));
        }
        Optional<String> branch = req.param("branch").filter(b -> !b.isEmpty())
                .or(() -> queries.branchesContaining(sha).stream().findFirst());
        History history = new History(branch.flatMap(b -> olderCommits(b, sha)).orElse(List.of()));
        String subject = message.isEmpty() ? sha : message.lines().findFirst().orElse(sha);
        StringBuilder b = new StringBuilder("<h3>").append(Html.esc(subject)).append("</h3><p class=\"meta\"><code>")
                .append(sha).append("</code>");
        info.ifPresent(c -> b.append(" · ").append(Html.esc(c.author())).append(" · ")
                .append(Instant.ofEpochSecond(c.commitTime())));
        List<String> containing = queries.branchesContaining(sha);
        if (!containing.isEmpty()) {
            b.append(" · branches: ").append(Html.esc(String.join(", ", containing)));
        }
        b.append("</p>").append(statusFilter()).append("<div class=\"panes\"><div class=\"left\">")
                .append("<table class=\"table results\"><thead><tr><th>Test</th><th>Duration</th><th>Status</th>")
                .append("<th>Last good</th><th>History</th><th></th><th></th></tr></thead><tbody>");
        for (ResultEntry e : entries) {
            b.append(row(sha, e, branch, history));
        }
        b.append("</tbody></table></div><div class=\"right\"><pre id=\"testlog\"></pre></div></div>");
        return Reply.html(Html.page(base, subject, b.toString(), "commit.js"));
    }

    private Optional<List<String>> olderCommits(String branch, String sha) {
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits()).orElse(List.of());
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).sha().equals(sha)) {
                return Optional.of(log.subList(i, log.size()).stream().map(CommitInfo::sha).toList());
            }
        }
        return Optional.empty();
    }

    private String row(String sha, ResultEntry e, Optional<String> branch, History history) {
        String key = Html.url(e.name());
        String dir = Html.esc(base) + "/c/" + sha + "/" + key;
        StringBuilder r = new StringBuilder("<tr class=\"").append(e.status().rowClass()).append("\" data-status=\"")
                .append(e.status().jsonCode()).append("\"><td><a class=\"log\" href=\"").append(dir).append("/log.br\">")
                .append(Html.esc(e.name())).append("</a></td><td>").append(e.duration()).append("s</td><td>")
                .append(e.status().display()).append("</td><td>").append(history.lastGood(e.name())).append("</td><td>")
                .append(history.strip(e.name())).append("</td><td>");
        branch.ifPresent(b -> r.append("<a href=\"").append(Html.esc(base)).append("/ci?branch=").append(Html.url(b))
                .append("&amp;test=").append(Html.url("^" + Pattern.quote(e.name()) + "$")).append("\">git log</a>"));
        r.append("</td><td><a class=\"log\" href=\"").append(dir).append("/full_log.br\">full</a></td></tr>");
        return r.toString();
    }

    private static String statusFilter() {
        StringBuilder b = new StringBuilder("<form class=\"status-filter\">");
        String[][] options = {{"passed", "Passed"}, {"failed", "Failed"}, {"notrun", "Not run"},
                {"failedToRun", "Failed to run"}, {"inprogress", "In progress"}, {"unknown", "Unknown"}, {"all", "All"}};
        for (String[] o : options) {
            b.append("<label><input type=\"radio\" name=\"status\" value=\"").append(o[0]).append('"')
                    .append("failed".equals(o[0]) ? " checked" : "").append("> ").append(o[1]).append("</label> ");
        }
        return b.append("</form>").toString();
    }

    /** The branch history from this commit back (index 0 = this commit), blobs read once and on demand. */
    private final class History {
        private final List<String> shas;
        private final Map<String, Optional<CommitResults>> blobs = new HashMap<>();

        History(List<String> shas) {
            this.shas = shas;
        }

        private Optional<Status> status(int index, String key) {
            String sha = shas.get(index);
            return blobs.computeIfAbsent(sha, commits::results).flatMap(r -> r.entry(key)).map(ResultEntry::status);
        }

        String lastGood(String key) {
            if (shas.isEmpty()) {
                return "—";
            }
            for (int i = 0; i < shas.size(); i++) {
                Optional<Status> s = status(i, key);
                if (s.isPresent() && s.get() == Status.PASSED) {
                    return Integer.toString(i);
                }
                if (s.isEmpty() || s.get() != Status.FAILED) {
                    return "&gt;= " + i;
                }
            }
            return "&gt;= " + shas.size();
        }

        String strip(String key) {
            if (shas.isEmpty()) {
                return "—";
            }
            StringBuilder b = new StringBuilder("<span class=\"history\">");
            for (int i = 0; i < Math.min(HISTORY, shas.size()); i++) {
                Optional<Status> s = status(i, key);
                String cls = s.isEmpty() ? "h-none" : s.get() == Status.PASSED ? "h-passed"
                        : s.get() == Status.FAILED ? "h-failed" : "h-other";
                String sha = shas.get(i);
                b.append("<a class=\"").append(cls).append("\" title=\"").append(sha, 0, 12).append(' ')
                        .append(s.map(Status::display).orElse("no result")).append("\" href=\"").append(Html.esc(base))
                        .append("/ci?commit=").append(sha).append("\"></a>");
            }
            return b.append("</span>").toString();
        }
    }
}
