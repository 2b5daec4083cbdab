package org.ktestci.dashboard;

import org.ktestci.schema.compare.Comparison;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.ResultEntry;

import java.util.List;

/**
 * Two commits side by side (issue 14 item 6): {@code /ci?compare=A...B} as a page, {@code /api/v1/compare?base=A
 * &head=B} as JSON. Any two commits with results, not only parent and child; each may be a unique prefix.
 */
final class CompareView {
    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    CompareView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    /** Both sides resolved, with their results. */
    private record Sides(String base, CommitResults baseResults, String head, CommitResults headResults) {
        Comparison comparison() {
            return Comparison.of(base, baseResults.entries(), head, headResults.entries());
        }
    }

    private Sides sides(String baseRef, String headRef) {
        String b = commits.resolve(baseRef);
        String h = commits.resolve(headRef);
        return new Sides(b, commits.results(b).orElseThrow(() -> HttpError.notFound("No test results for commit "
                + baseRef)), h, commits.results(h).orElseThrow(() -> HttpError.notFound("No test results for commit "
                + headRef)));
    }

    Reply api(RequestInfo req) {
        String b = req.param("base").filter(x -> !x.isEmpty()).orElseThrow(() -> HttpError.badRequest("base is required"));
        String h = req.param("head").filter(x -> !x.isEmpty()).orElseThrow(() -> HttpError.badRequest("head is required"));
        return Reply.json(200, sides(b, h).comparison().toJson());
    }

    Reply page(RequestInfo req, String range) {
        int dots = range.indexOf("...");
        if (dots <= 0 || dots + 3 >= range.length()) {
            throw HttpError.badRequest("compare must be <base>...<head>, got " + range);
        }
        Sides s = sides(range.substring(0, dots), range.substring(dots + 3));
        if (req.wantsJson()) {
            return Reply.prettyJson(s.comparison().toJson());
        }
        Comparison c = s.comparison();
        String title = "Compare " + s.base().substring(0, 12) + "..." + s.head().substring(0, 12);
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(title)).append("</h1><table class=\"table sides\">")
                .append(side("base", s.base(), s.baseResults())).append(side("head", s.head(), s.headResults()))
                .append("</table><p class=\"summary\" id=\"compare-summary\">").append(c.fixed().size())
                .append(" fixed, ").append(c.newFailures().size()).append(" new failures, ")
                .append(c.stillFailing().size()).append(" still failing, ").append(c.newTests().size())
                .append(" new tests, ").append(c.removedTests().size()).append(" removed tests, ")
                .append(c.muchSlower().size()).append(" much slower (≥ ").append(Comparison.SLOWER_FACTOR)
                .append(" × and ≥ +").append(Comparison.SLOWER_SECONDS).append(" s)</p>");
        changes(b, "new-failures", "New failures", s.head(), c.newFailures());
        changes(b, "fixed", "Fixed", s.head(), c.fixed());
        changes(b, "still-failing", "Still failing", s.head(), c.stillFailing());
        changes(b, "much-slower", "Much slower", s.head(), c.muchSlower());
        entries(b, "new-tests", "New tests", s.head(), c.newTests());
        entries(b, "removed-tests", "Removed tests", s.base(), c.removedTests());
        return Reply.html(Html.page(base, title, b.toString()));
    }

    private String side(String label, String sha, CommitResults r) {
        String subject = !r.message().isEmpty() ? r.subject()
                : queries.commit(sha).map(CommitInfo::subject).orElse("");
        return "<tr><th>" + label + "</th><td><a href=\"" + Html.ciHref(base, "commit", sha) + "\"><code>"
                + sha.substring(0, 12) + "</code></a> " + Html.esc(subject) + "</td></tr>";
    }

    private void changes(StringBuilder b, String id, String heading, String head, List<Comparison.Change> list) {
        b.append("<h3 id=\"").append(id).append("\">").append(heading).append(" (").append(list.size())
                .append(")</h3>");
        if (list.isEmpty()) {
            return;
        }
        b.append("<table class=\"table compare\" data-section=\"").append(id).append("\"><thead><tr><th>Test</th>")
                .append("<th>Base</th><th>Head</th></tr></thead><tbody>");
        for (Comparison.Change ch : list) {
            b.append("<tr class=\"").append(ch.head().status().rowClass()).append("\" data-key=\"")
                    .append(Html.esc(ch.key())).append("\"><td>").append(logLink(head, ch.key())).append("</td><td>")
                    .append(cell(ch.base())).append("</td><td>").append(cell(ch.head())).append("</td></tr>");
        }
        b.append("</tbody></table>");
    }

    private void entries(StringBuilder b, String id, String heading, String sha, List<ResultEntry> list) {
        b.append("<h3 id=\"").append(id).append("\">").append(heading).append(" (").append(list.size())
                .append(")</h3>");
        if (list.isEmpty()) {
            return;
        }
        b.append("<table class=\"table compare\" data-section=\"").append(id).append("\"><thead><tr><th>Test</th>")
                .append("<th>Status</th></tr></thead><tbody>");
        for (ResultEntry e : list) {
            b.append("<tr class=\"").append(e.status().rowClass()).append("\" data-key=\"").append(Html.esc(e.name()))
                    .append("\"><td>").append(logLink(sha, e.name())).append("</td><td>").append(cell(e))
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
    }

    private String logLink(String sha, String key) {
        return "<a href=\"" + Html.esc(base + "/c/" + sha + "/" + Html.url(key)) + "/log.br\">" + Html.esc(key) + "</a>";
    }

    private static String cell(ResultEntry e) {
        return e.status().display() + " <span class=\"duration\">" + e.duration() + "s</span>";
    }
}
