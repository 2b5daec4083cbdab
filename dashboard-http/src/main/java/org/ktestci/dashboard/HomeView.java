package org.ktestci.dashboard;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.status.Status;

import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /ci} home, user and status pages (http.md §2). */
final class HomeView {
    private static final String TITLE = "CI branch list";

    private final CiQueries queries;
    private final Commits commits;
    private final String base;
    private final LiveApi live;

    HomeView(CiQueries queries, Commits commits, String base, LiveApi live) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
        this.live = live;
    }

    Reply home(RequestInfo req) {
        List<BranchSummary> branches = queries.branches();
        List<String> names = branches.stream().map(BranchSummary::name).toList();
        if (req.wantsJson()) {
            return Reply.prettyJson(List.of(userDoc(names)));
        }
        StringBuilder b = new StringBuilder("<h1>").append(TITLE).append("</h1><p><a href=\"").append(Html.esc(base))
                .append("/ci?status\">→ live CI status</a></p><h2>Users</h2><table class=\"table\">")
                .append("<thead><tr><th>User</th><th>Nice</th><th>Branches</th></tr></thead><tbody><tr><td>")
                .append(Html.link(Html.ciHref(base, "user", queries.user()), queries.user()))
                .append("</td><td>0</td><td>");
        for (String n : names) {
            b.append(branchLink(n)).append(' ');
        }
        b.append("</td></tr></tbody></table>").append(branchTable(branches));
        return Reply.html(Html.page(base, TITLE, b.toString()));
    }

    /** One row per branch with its tip's counts (also the body of the status page). */
    private String branchTable(List<BranchSummary> branches) {
        StringBuilder b = new StringBuilder("<h2>Branches</h2><table class=\"table branches\"><thead><tr>")
                .append("<th>Branch</th><th>Repo</th><th>Tip</th><th>Passed</th><th>Failed</th><th>Failed to run</th>")
                .append("<th>In progress</th><th>Untested commits</th><th>Last fetch</th></tr></thead><tbody>");
        for (BranchSummary s : branches) {
            b.append(row(s));
        }
        return b.append("</tbody></table>").toString();
    }

    private String row(BranchSummary s) {
        StringBuilder r = new StringBuilder("<tr><td>").append(branchLink(s.name())).append("</td><td>")
                .append(Html.esc(s.repo())).append("</td><td>");
        Map<Status, Integer> counts = Map.of();
        if (s.tip().isPresent()) {
            String sha = s.tip().get();
            r.append("<a href=\"").append(Html.ciHref(base, "commit", sha, "branch", s.name())).append("\"><code>")
                    .append(Html.esc(sha.substring(0, Math.min(12, sha.length())))).append("</code></a> ")
                    .append(Html.esc(s.tipSubject().orElse("")));
            counts = commits.results(sha).map(CommitResults::counts).orElse(Map.of());
        }
        r.append("</td>");
        for (Status st : List.of(Status.PASSED, Status.FAILED, Status.FAILED_TO_RUN, Status.INPROGRESS)) {
            r.append("<td>").append(counts.getOrDefault(st, 0)).append("</td>");
        }
        long untested = commits.untested(queries.branchLog(s.name(), queries.keepResultsCommits()).orElse(List.of()));
        r.append("<td>").append(untested).append("</td><td>");
        if (s.lastFetchError().isPresent()) {
            r.append("error: ").append(Html.esc(s.lastFetchError().get()));
        } else {
            r.append(s.lastFetch().map(t -> DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS)))
                    .orElse("never"));
        }
        return r.append("</td></tr>").toString();
    }

    Reply user(RequestInfo req) {
        List<String> names = queries.branches().stream().map(BranchSummary::name).toList();
        if (req.wantsJson()) {
            return Reply.prettyJson(userDoc(names));
        }
        StringBuilder b = new StringBuilder("<h1>").append(TITLE).append("</h1><table class=\"table\"><tbody>");
        for (String n : names) {
            b.append("<tr><td>").append(branchLink(n)).append("</td></tr>");
        }
        return Reply.html(Html.page(base, TITLE, b.append("</tbody></table>").toString()));
    }

    /**
     * {@code ?status} (http.md §2 "Live status"): a shell that {@code status.js} fills from {@code /api/v1/queue}
     * and {@code /api/v1/workers} and keeps current from {@code /api/v1/events}; without scripts it still shows
     * the tips' counts. JSON mode: the queue and workers documents.
     */
    Reply status(RequestInfo req) {
        if (req.wantsJson()) {
            return Reply.prettyJson(live.statusDoc());
        }
        String body = "<h1>CI status</h1><p>" + Html.link(Html.esc(base) + "/ci", "← branch list") + "</p>"
                + "<div id=\"live-status\" data-base=\"" + Html.esc(base) + "\">"
                + "<p id=\"summary\" class=\"summary\">loading …</p>"
                + "<p id=\"connection\" class=\"connection\"></p>"
                + "<h2>Fair share</h2><ol id=\"fairshare\" class=\"fairshare\"></ol>"
                + "<h2>Hosts</h2><div id=\"hosts\" class=\"hosts\"></div>"
                + "<h2>Jobs</h2><table class=\"table jobs\"><thead><tr><th>Status</th><th>Branch</th><th>Job</th>"
                + "<th>Elapsed</th></tr></thead><tbody id=\"jobs\"></tbody></table>"
                + "<h2>Log</h2><p id=\"log-title\" class=\"log-title\">click a busy slot to follow its log</p>"
                + "<pre id=\"slotlog\" class=\"log\"></pre></div>"
                + "<h2>Branch tips</h2>" + branchTable(queries.branches());
        return Reply.html(Html.page(base, "CI status", body, "status.js"));
    }

    private Map<String, Object> userDoc(List<String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", queries.user());
        m.put("branches", names);
        return m;
    }

    private String branchLink(String branch) {
        return Html.link(Html.ciHref(base, "user", queries.user(), "branch", branch), branch);
    }
}
