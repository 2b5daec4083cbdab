package org.ktestci.dashboard;

import org.ktestci.schema.events.EventJson;
import org.ktestci.schema.events.EventLinks;
import org.ktestci.schema.events.RegressionEvent;
import org.ktestci.schema.events.RegressionEvent.FirstBadFound;
import org.ktestci.schema.events.RegressionEvent.Fixed;
import org.ktestci.schema.events.RegressionEvent.NewFailure;
import org.ktestci.schema.git.CommitInfo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A branch's regressions as an Atom 1.0 feed (RFC 4287; issue 14 item 8): {@code /ci/feed?branch=<name>}, and the
 * same events as JSON at {@code /api/v1/branches/{b}/events}. Entry ids and times depend only on the events, so an
 * unchanged feed is byte for byte the same (its ETag too). Links are absolute under {@code ci_url}. Every string
 * from git or the results (subjects, authors, keys, branch names) goes through {@link Xml#esc}, content HTML through
 * {@link Html#esc} first.
 */
final class FeedView {
    static final String ATOM = "application/atom+xml; charset=utf-8";

    private final CiQueries queries;
    private final RegressionFeed feed;
    private final String base;

    FeedView(CiQueries queries, RegressionFeed feed, String base) {
        this.queries = queries;
        this.feed = feed;
        this.base = base;
    }

    private EventLinks links() {
        return new EventLinks(queries.publicUrl().orElse(base));
    }

    private static String branchParam(RequestInfo req) {
        return req.param("branch").filter(b -> !b.isEmpty())
                .orElseThrow(() -> HttpError.badRequest("branch is required: /ci/feed?branch=<name>"));
    }

    private List<RegressionEvent> events(String branch) {
        return feed.events(branch).orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
    }

    Reply atom(RequestInfo req) {
        String branch = branchParam(req);
        List<RegressionEvent> events = events(branch);
        if (req.wantsJson()) {
            return json(branch, events);
        }
        EventLinks links = links();
        long updated = events.isEmpty() ? tipTime(branch) : events.get(0).at();
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
                .append("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n")
                .append("<id>").append(RegressionEvent.uuidUrn("ktest-ci feed " + queries.user() + " " + branch))
                .append("</id>\n<title>").append(Xml.esc("ktest-ci: " + branch + " regressions")).append("</title>\n")
                .append("<subtitle>New failures, fixes and first bad commits of branch ").append(Xml.esc(branch))
                .append("</subtitle>\n<updated>").append(time(updated)).append("</updated>\n")
                .append("<author><name>ktest-ci</name></author>\n<generator>ktest-ci</generator>\n")
                .append(link("self", "application/atom+xml", links.feed(branch)))
                .append(link("alternate", "text/html", links.branch(branch)));
        for (RegressionEvent e : events) {
            entry(b, e, links);
        }
        b.append("</feed>\n");
        return Reply.bytes(200, ATOM, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    Reply json(String branch, List<RegressionEvent> events) {
        EventLinks links = links();
        return Reply.json(200, Map.of("branch", branch, "events",
                events.stream().map(e -> EventJson.of(e, links)).toList()));
    }

    Reply api(String branch) {
        return json(branch, events(branch));
    }

    private long tipTime(String branch) {
        return queries.branchLog(branch, 1).flatMap(l -> l.stream().findFirst()).map(CommitInfo::commitTime).orElse(0L);
    }

    private void entry(StringBuilder b, RegressionEvent e, EventLinks links) {
        String sha = e.commit().sha();
        b.append("<entry>\n<id>").append(e.atomId(queries.user())).append("</id>\n<title type=\"text\">")
                .append(Xml.esc(title(e))).append("</title>\n<updated>").append(time(e.at())).append("</updated>\n")
                .append("<author><name>").append(Xml.esc(e.commit().author().isEmpty() ? "unknown"
                        : e.commit().author())).append("</name></author>\n")
                .append("<category term=\"").append(e.type()).append("\"/>\n")
                .append(link("alternate", "text/html", links.commit(e.branch(), sha)))
                .append(link("related", "text/html", links.test(e.branch(), e.key())))
                .append("<content type=\"html\">").append(Xml.esc(content(e, links))).append("</content>\n</entry>\n");
    }

    private static String link(String rel, String type, String href) {
        return "<link rel=\"" + rel + "\" type=\"" + type + "\" href=\"" + Xml.esc(href) + "\"/>\n";
    }

    static String title(RegressionEvent e) {
        String at = short12(e.commit().sha()) + " " + e.commit().subject();
        if (e instanceof NewFailure n) {
            return "New failure: " + n.key() + n.known().map(k -> " (known: " + k.id() + ")").orElse("") + " at " + at;
        }
        if (e instanceof Fixed) {
            return "Fixed: " + e.key() + " at " + at;
        }
        return "First bad commit" + (((FirstBadFound) e).exact() ? "" : " (range)") + ": " + e.key() + ": " + at;
    }

    /** The entry's HTML; it is escaped again as the element's text. */
    private static String content(RegressionEvent e, EventLinks links) {
        String sha = e.commit().sha();
        String commit = "<a href=\"" + Html.esc(links.commit(e.branch(), sha)) + "\"><code>" + short12(sha)
                + "</code></a> " + Html.esc(e.commit().subject()) + " (" + Html.esc(e.commit().author()) + ")";
        String test = "<code>" + Html.esc(e.key()) + "</code>";
        StringBuilder b = new StringBuilder("<p>");
        if (e instanceof NewFailure n) {
            b.append("Test ").append(test).append(" failed at ").append(commit).append(n.previousSha()
                    .map(p -> "; it did not fail at " + commitLink(links, e.branch(), p) + ".")
                    .orElse("; the test is new on the branch.")).append("</p><p>").append(n.known()
                    .map(k -> "Known issue: <a href=\"" + Html.esc(k.url()) + "\">" + Html.esc(k.id()) + "</a>")
                    .orElse("Not a known issue.")).append("</p><p><a href=\"")
                    .append(Html.esc(links.log(sha, e.key()))).append("\">log</a>");
        } else if (e instanceof Fixed f) {
            b.append("Test ").append(test).append(" passes at ").append(commit).append("; it failed at ")
                    .append(commitLink(links, e.branch(), f.failingSha())).append(".</p><p><a href=\"")
                    .append(Html.esc(links.log(sha, e.key()))).append("\">log</a>");
        } else {
            FirstBadFound f = (FirstBadFound) e;
            b.append(f.exact() ? "First bad commit of " + test + ": " + commit + "; its parent "
                            + commitLink(links, e.branch(), f.lastGoodSha()) + " passes."
                            : "The first bad commit of " + test + " is after " + commitLink(links, e.branch(),
                            f.lastGoodSha()) + " and at or before " + commit + " (an untestable commit stopped"
                            + " bisection).")
                    .append(" Found from the failure at ").append(commitLink(links, e.branch(), f.detectedAtSha()))
                    .append(".</p><p>");
        }
        return b.append(" <a href=\"").append(Html.esc(links.test(e.branch(), e.key()))).append("\">history</a></p>")
                .toString();
    }

    private static String commitLink(EventLinks links, String branch, String sha) {
        return "<a href=\"" + Html.esc(links.commit(branch, sha)) + "\"><code>" + short12(sha) + "</code></a>";
    }

    private static String short12(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    private static String time(long unixSeconds) {
        return Instant.ofEpochSecond(unixSeconds).toString();
    }
}
