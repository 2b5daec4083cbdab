package org.ktestci.dashboard;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.status.Status;

import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** {@code /ci} home and user pages (http.md §2). */
final class HomeView {
    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    HomeView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    Reply home(RequestInfo req) {
        List<BranchSummary> branches = queries.branches();
        List<String> names = branches.stream().map(BranchSummary::name).toList();
        if (req.wantsJson()) {
            return Reply.prettyJson(List.of(userDoc(names)));
        }
        StringBuilder b = new StringBuilder("<h1>CI branch list</h1><h2>Users</h2><table class=\"table\">")
                .append("<thead><tr><th>User</th><th>Nice</th><th>Branches</th></tr></thead><tbody><tr><td>")
                .append(userLink()).append("</td><td>0</td><td>");
        for (String n : names) {
            b.append(branchLink(n, n)).append(' ');
        }
        b.append("</td></tr></tbody></table><h2>Branches</h2><table class=\"table\"><thead><tr><th>Branch</th>")
                .append("<th>Repo</th><th>Tip</th><th>Passed</th><th>Failed</th><th>Failed to run</th>")
                .append("<th>In progress</th><th>Untested commits</th><th>Last fetch</th></tr></thead><tbody>");
        for (BranchSummary s : branches) {
            b.append(row(s));
        }
        b.append("</tbody></table>");
        return Reply.html(Html.page(base, "CI branch list", b.toString()));
    }

    private String row(BranchSummary s) {
        StringBuilder r = new StringBuilder("<tr><td>").append(branchLink(s.name(), s.name())).append("</td><td>")
                .append(Html.esc(s.repo())).append("</td><td>");
        Map<Status, Integer> counts = Map.of();
        if (s.tip().isPresent()) {
            String sha = s.tip().get();
            r.append("<a href=\"").append(Html.esc(base)).append("/ci?commit=").append(sha).append("\"><code>")
                    .append(sha, 0, 12).append("</code></a> ").append(Html.esc(s.tipSubject().orElse("")));
            counts = commits.results(sha).map(CommitResults::counts).orElse(Map.of());
        }
        r.append("</td>");
        for (Status st : List.of(Status.PASSED, Status.FAILED, Status.FAILED_TO_RUN, Status.INPROGRESS)) {
            r.append("<td>").append(counts.getOrDefault(st, 0)).append("</td>");
        }
        r.append("<td>").append(untested(s)).append("</td><td>");
        if (s.lastFetchError().isPresent()) {
            r.append("error: ").append(Html.esc(s.lastFetchError().get()));
        } else {
            r.append(s.lastFetch().map(t -> DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS)))
                    .orElse("never"));
        }
        return r.append("</td></tr>").toString();
    }

    private long untested(BranchSummary s) {
        return queries.branchLog(s.name(), queries.keepResultsCommits()).orElse(List.of()).stream()
                .filter(c -> commits.results(c.sha()).isEmpty()).count();
    }

    Reply user(RequestInfo req) {
        List<String> names = queries.branches().stream().map(BranchSummary::name).toList();
        if (req.wantsJson()) {
            return Reply.prettyJson(userDoc(names));
        }
        StringBuilder b = new StringBuilder("<h1>CI branch list</h1><table class=\"table\"><tbody>");
        for (String n : names) {
            b.append("<tr><td>").append(branchLink(n, n)).append("</td></tr>");
        }
        return Reply.html(Html.page(base, "CI branch list", b.append("</tbody></table>").toString()));
    }

    private Map<String, Object> userDoc(List<String> names) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("user", queries.user());
        m.put("branches", names);
        return m;
    }

    private String userLink() {
        return "<a href=\"" + Html.esc(base) + "/ci?user=" + Html.url(queries.user()) + "\">"
                + Html.esc(queries.user()) + "</a>";
    }

    private String branchLink(String branch, String text) {
        return "<a href=\"" + Html.esc(base) + "/ci?user=" + Html.url(queries.user()) + "&amp;branch="
                + Html.url(branch) + "\">" + Html.esc(text) + "</a>";
    }
}
