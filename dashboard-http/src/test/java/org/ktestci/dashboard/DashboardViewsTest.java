package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.DashboardFixture.HOSTILE_KEY;
import static org.ktestci.dashboard.DashboardFixture.HOSTILE_MESSAGE;
import static org.ktestci.dashboard.Http.JSON;

/** The {@code /ci} views (http.md §2, §3) over real HTTP, git and output_dir. */
class DashboardViewsTest extends SharedDashboardTest {
    @Test
    void homeJsonListsTheUserAndBranchesPrettyPrinted() throws Exception {
        HttpResponse<byte[]> r = http.get("/ci?format=json");
        assertEquals(200, r.statusCode());
        assertTrue(Http.body(r).contains("\n"), "format=json is pretty-printed");
        assertEquals(JSON.readTree("[{\"user\":\"ci\",\"branches\":[\"main\",\"long\",\"hundred\"]}]"),
                JSON.readTree(r.body()));
        assertEquals(JSON.readTree("{\"user\":\"ci\",\"branches\":[\"main\",\"long\",\"hundred\"]}"),
                http.json("/ci?user=ci&format=json"));
    }

    @Test
    void homeHtmlShowsTipCountsUntestedCommitsAndFetchState() throws Exception {
        String html = http.html("/ci/");
        assertTrue(html.contains("<title>CI branch list</title>"), html);
        assertTrue(html.contains("<a href=\"/ci?status\">→ live CI status</a>"), html);
        List<String> main = HtmlRows.cells(html, ">main</a></td><td>linux");
        assertEquals("<a href=\"/ci?user=ci&amp;branch=main\">main</a>", main.get(0));
        assertEquals("linux", main.get(1));
        assertEquals("<a href=\"/ci?commit=" + fx.m(5) + "&amp;branch=main\"><code>" + fx.m(5).substring(0, 12)
                + "</code></a> fix &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", main.get(2));
        assertEquals(List.of("1", "3", "1", "1", "2", "2026-01-02T03:04:05Z"), main.subList(3, 9),
                "Passed, Failed, Failed to run, In progress, Untested commits, Last fetch");
        List<String> lng = HtmlRows.cells(html, ">long</a></td>");
        assertEquals("101", lng.get(7));
        assertEquals("error: fatal: &lt;could not read&gt;", lng.get(8));
        assertEquals("100", HtmlRows.cells(html, ">hundred</a></td>").get(7));
        List<String> users = HtmlRows.cells(html, "?user=ci\">ci</a></td>");
        assertEquals("0", users.get(1), "Nice");
    }

    @Test
    void userPageLinksEveryBranch() throws Exception {
        String html = http.html("/ci?user=ci");
        assertTrue(html.contains("<tr><td><a href=\"/ci?user=ci&amp;branch=hundred\">hundred</a></td></tr>"), html);
        assertEquals(3, HtmlRows.rows(html).size());
    }

    @Test
    void branchJsonHasCountsOfTestedCommitsNewestFirst() throws Exception {
        ArrayNode expected = JSON.createArrayNode();
        expected.add(entry(fx.m(5), HOSTILE_MESSAGE, 1, 3, 0, 1, 1, 1, 53));
        expected.add(entry(fx.m(3), fx.gitMessage(3), 1, 2, 1, 0, 0, 0, 41));
        expected.add(entry(fx.m(2), fx.gitMessage(2), 2, 1, 0, 0, 0, 0, 38));
        expected.add(entry(fx.m(0), fx.gitMessage(0), 4, 0, 0, 0, 0, 0, 36));
        assertEquals(Http.normalized(expected), http.json("/ci?user=ci&branch=main&format=json"));
        JsonNode filtered = http.json("/ci?branch=main&test=k%5C.b%24&format=json");
        assertEquals(4, filtered.size());
        assertEquals(Http.normalized(entry(fx.m(5), HOSTILE_MESSAGE, 0, 1, 0, 0, 0, 0, 31)), filtered.get(0));
    }

    private static ObjectNode entry(String sha, String message, int passed, int failed, int notrun, int ftr,
                                    int inprogress, int unknown, long duration) {
        ObjectNode n = JSON.createObjectNode();
        n.put("commit", sha).put("message", message).put("passed", passed).put("failed", failed)
                .put("notrun", notrun).put("failed_to_run", ftr).put("inprogress", inprogress)
                .put("unknown", unknown).put("duration", duration);
        return n;
    }

    @Test
    void branchHtmlCollapsesUntestedCommitsIntoOneRowEach() throws Exception {
        String html = http.html("/ci?branch=main");
        assertTrue(html.contains("<title>main</title>"));
        assertTrue(html.contains("<input type=\"text\" name=\"test\" placeholder=\"test name (regex)\" value=\"\">"));
        List<String> firstCells = HtmlRows.rows(html).stream().skip(1)
                .map(r -> HtmlRows.cells(r[1]).get(0)).toList();
        assertEquals(List.of(code(5), "(1 untested commits)", code(3), code(2), "(1 untested commits)", code(0)),
                firstCells.stream().map(DashboardViewsTest::linkText).toList());
        List<String> tip = HtmlRows.cells(html, code(5));
        assertEquals("fix &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", tip.get(1));
        assertEquals(List.of("1", "3", "1", "0", "1", "1", "7", "53s"), tip.subList(2, 10));
        assertTrue(tip.get(0).startsWith("<a href=\"/ci?commit=" + fx.m(5) + "&amp;branch=main\">"), tip.get(0));
    }

    private String code(int i) {
        return fx.m(i).substring(0, 14);
    }

    private static String linkText(String cell) {
        Matcher m = Pattern.compile("<code>([0-9a-f]{14})</code>").matcher(cell);
        return m.find() ? m.group(1) : cell;
    }

    @Test
    void branchWalkStopsAfterMoreThanHundredUntestedCommits() throws Exception {
        JsonNode lng = http.json("/ci?branch=long&format=json");
        assertEquals(1, lng.size(), "101 untested commits end the walk before the oldest tested one");
        assertEquals(fx.longBranch.get(102), lng.get(0).get("commit").asText());
        JsonNode hundred = http.json("/ci?branch=hundred&format=json");
        assertEquals(2, hundred.size(), "exactly 100 untested commits do not end it");
        assertTrue(http.html("/ci?branch=hundred").contains("(100 untested commits)"));
        assertFalse(http.html("/ci?branch=long").contains("untested commits)"), "trailing untested rows are dropped");
    }

    @Test
    void singleTestLayoutSummarisesRunsAndMarksFirstFailingAndLastPassing() throws Exception {
        String html = http.html("/ci?branch=main&test=%5Ek%5C.b%24");
        assertTrue(html.contains("<p class=\"summary\">4 completed runs: 1 passed (25.0%), 3 failed (75.0%); "
                + "average duration 23s</p>"), html);
        assertTrue(html.contains("value=\"^k\\.b$\""), "the search box keeps the regex");
        assertEquals(" class=\"table-danger\"", HtmlRows.rowAttributes(html, code(5)));
        assertEquals(" class=\"table-danger first-failing\"", HtmlRows.rowAttributes(html, code(2)));
        assertEquals(" class=\"table-success\"", HtmlRows.rowAttributes(html, code(0)));
        List<String> first = HtmlRows.cells(html, code(2));
        assertEquals("main commit 2 <span class=\"badge badge-failing\">first failing</span>", first.get(1));
        assertEquals(List.of("Failed", "21s"), first.subList(2, 4));
        String dir = "/c/" + fx.m(2) + "/k.b";
        assertEquals("<a href=\"" + dir + "/log.br\">log</a> <a href=\"" + dir + "/full_log.br\">full log</a> "
                + "<a href=\"" + dir + "/\">output directory</a>", first.get(4));
        assertTrue(HtmlRows.cells(html, code(0)).get(1)
                .endsWith("<span class=\"badge badge-passing\">last passing</span>"));
        assertFalse(HtmlRows.cells(html, code(5)).get(1).contains("badge"));
        assertEquals(2, html.split("untested commits\\)", -1).length - 1);
    }

    @Test
    void regexMatchingSeveralKeysKeepsTheMultiTestLayout() throws Exception {
        String html = http.html("/ci?branch=main&test=k%5C.%28a%7Cb%29%24");
        assertFalse(html.contains("completed runs"));
        assertEquals(List.of("1", "1", "0", "0", "0", "0", "2", "44s"), HtmlRows.cells(html, code(5)).subList(2, 10));
    }

    @Test
    void commitJsonListsTestsByNameWithDisplayStatuses() throws Exception {
        JsonNode c = http.json("/ci?commit=" + fx.m(5).substring(0, 7) + "&format=json");
        ObjectNode expected = JSON.createObjectNode().put("commit", fx.m(5)).put("message", HOSTILE_MESSAGE);
        ArrayNode tests = expected.putArray("tests");
        String[][] rows = {{HOSTILE_KEY, "Failed", "3"}, {"k.a", "Passed", "13"}, {"k.b", "Failed", "31"},
                {"k.c", "Failed to run", "0"}, {"k.d", "In progress", "0"}, {"k.e", "Unknown", "2"},
                {"k.new", "Failed", "4"}};
        for (String[] r : rows) {
            ObjectNode t = tests.addObject().put("name", r[0]).put("status", r[1]).put("duration", Long.parseLong(r[2]));
            if (r[0].equals("k.c")) {
                t.set("reason", JSON.valueToTree(DashboardFixture.FTR_REASON.toJson())); // issue 14: why it failed to run
            }
        }
        assertEquals(Http.normalized(expected), c);
        assertEquals(List.of("k.b"), http.json("/ci?commit=" + fx.m(5) + "&test=%5Ek%5C.b&format=json")
                .get("tests").findValuesAsText("name"));
    }

    @Test
    void commitHtmlHasPerTestRowsLastGoodHistoryAndLogPane() throws Exception {
        String html = http.html("/ci?commit=" + fx.m(5) + "&show=all");
        String subject = "fix &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;";
        assertTrue(html.contains("<title>" + subject + "</title>"));
        assertTrue(html.contains("<h3>" + subject + "</h3><p class=\"meta\"><code>" + fx.m(5) + "</code> · Eve &quot;q"
                + "&quot; &amp; co · 2023-11-14T22:18:20Z · branches: main</p>"), html);
        assertTrue(html.contains("<input type=\"radio\" name=\"show\" value=\"all\" checked> All "
                + "<span class=\"count\">(7)</span>"), html);
        assertTrue(html.contains("<pre id=\"testlog\"></pre>"));
        assertTrue(html.contains("<script src=\"/static/commit.js\"></script>"), "in <head>, before the rows");
        List<String> statuses = HtmlRows.attributeValues(html, "data-status");
        assertEquals(List.of("failed", "passed", "failed", "failedToRun", "inprogress", "unknown", "failed"), statuses,
                "one row per key in byte order");
        List<String> b = HtmlRows.cells(html, ">k.b</a>");
        assertEquals("<a class=\"log\" href=\"/c/" + fx.m(5) + "/k.b/log.br\">k.b</a>", b.get(0));
        assertEquals(List.of("31s", "Failed", "&gt;= 1"), b.subList(1, 4));
        // Six commits, newest left: Failed, none, Failed, Failed, none, Passed; runs of one class share a path.
        assertEquals("<svg class=\"history strip\" width=\"54\" height=\"14\" viewBox=\"0 0 54 14\"><title>last 6 "
                + "commits, newest left: 3 failed, 2 no result, 1 passed</title><path class=\"h-failed\" d=\"M0 7h9M18 "
                + "7h18\"/><path class=\"h-none\" d=\"M9 7h9M36 7h9\"/><path class=\"h-passed\" d=\"M45 7h9\"/></svg>",
                b.get(4));
        assertEquals("<a href=\"/ci?branch=main&amp;test=%5Ek%5C.b%24\">git log</a>", b.get(5));
        assertEquals("<a class=\"log\" href=\"/c/" + fx.m(5) + "/k.b/full_log.br\">full</a>", b.get(6));
        assertEquals("0", HtmlRows.cells(html, ">k.a</a>").get(3));
        assertEquals("&gt;= 0", HtmlRows.cells(html, ">k.c</a>").get(3), "Failed to run is neither Passed nor Failed");
        assertTrue(HtmlRows.cells(html, ">k.new</a>").get(0)
                .endsWith("<span class=\"badge badge-failing\" title=\"new failure\">new</span>"),
                "new, and no link: it never passed on this branch");
        assertFalse(b.get(0).contains("badge"), "k.b failed first at an older commit");
    }

    @Test
    void commitLastGoodCountsBackToTheFirstPass() throws Exception {
        String m3 = http.html("/ci?commit=" + fx.m(3));
        assertEquals("1", HtmlRows.cells(m3, ">k.flaky</a>").get(3));
        assertTrue(HtmlRows.cells(m3, ">k.flaky</a>").get(0).endsWith("<span class=\"badge badge-failing\" "
                + "title=\"new failure\">new</span> <a class=\"last-pass\" href=\"/ci?commit=" + fx.m(2)
                + "&amp;branch=main\" title=\"the last commit where it passed\">passed at "
                + fx.m(2).substring(0, 12) + "</a>"), "a new failure links to where it last passed");
        assertEquals("&gt;= 2", HtmlRows.cells(m3, ">k.b</a>").get(3), "m1 has no result");
        String m2 = http.html("/ci?commit=" + fx.m(2) + "&branch=main");
        assertTrue(HtmlRows.cells(m2, ">k.b</a>").get(0).contains(">new</span>"), "k.b's failing run starts at m2");
        String elsewhere = http.html("/ci?commit=" + fx.m(5) + "&branch=long");
        assertEquals(List.of("—", "—"), HtmlRows.cells(elsewhere, ">k.b</a>").subList(3, 5),
                "a branch without the commit has no history");
    }

    @Test
    void untrustedTextIsEscapedAndNoScriptIsInline() throws Exception {
        for (String path : List.of("/ci", "/ci?branch=main", "/ci?commit=" + fx.m(5),
                "/ci?branch=main&test=%3Cscript%3E",
                "/c/" + fx.m(5) + "/")) {
            String html = http.html(path);
            assertFalse(html.contains("<script>"), path);
            assertFalse(html.contains("alert('"), path);
            Matcher m = Pattern.compile("<script[^>]*>").matcher(html);
            while (m.find()) {
                assertTrue(m.group().matches("<script (defer )?src=\"/static/[a-z-]+\\.js\">"), m.group());
            }
        }
        String commit = http.html("/ci?commit=" + fx.m(5));
        assertTrue(commit.contains("<pre id=\"testlog\"></pre>"));
        assertTrue(commit.contains(">k.&lt;script&gt;alert(1)&lt;/script&gt;</a>"), commit);
        assertTrue(commit.contains("href=\"/c/" + fx.m(5) + "/k.%3Cscript%3Ealert%281%29%3C%2Fscript%3E/log.br\""));
    }

    @Test
    void routingFollowsTheFirstMatchingRule() throws Exception {
        assertTrue(http.html("/ci?user=ci&commit=" + fx.m(5) + "&branch=main").contains("<h3>"));
        assertTrue(http.html("/ci?status&commit=" + fx.m(5)).contains("<title>CI status</title>"));
        HttpResponse<byte[]> r = http.get("/");
        assertEquals(302, r.statusCode());
        assertEquals("/ci", Http.header(r, "Location"));
    }

    @Test
    void statusJsonIsUnavailableWithoutQueueAccess() throws Exception {
        HttpResponse<byte[]> r = http.get("/ci?status&format=json");
        assertEquals(503, r.statusCode());
        assertEquals("{\"error\":\"coordinator unavailable\"}", Http.body(r));
    }

    @Test
    void everyQueryRunsOffTheHttpAndActorThreads() throws Exception {
        fx.queryThreads.clear();
        http.html("/ci?commit=" + fx.m(5));
        assertFalse(fx.queryThreads.isEmpty());
        for (String t : fx.queryThreads) {
            assertTrue(t.contains("default-blocking-io-dispatcher"), t);
        }
    }
}
