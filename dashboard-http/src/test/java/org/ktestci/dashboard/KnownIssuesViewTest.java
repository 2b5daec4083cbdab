package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.known.KnownIssue;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.Http.JSON;

/**
 * Known issues in the views and the API (issue 14 item 5): a matching failure shows "known: id" with its link
 * instead of "new", counts split new from known, and an issue masks exactly its matches — not a key its test
 * regex misses, not a failure whose log lacks its log regex, not a commit that contains its fix.
 */
class KnownIssuesViewTest extends SharedDashboardTest {
    @BeforeAll
    void addKnownIssues() throws Exception {
        fx.known.add(new KnownIssue("btree", "^k\\.b$", Optional.of("<script>alert"), "https://bugs.example.org/1",
                Optional.empty(), KnownIssue.CONFIG));
        fx.known.add(new KnownIssue("wrong-log", "^k\\.new$", Optional.of("no such line"), "https://bugs.example.org/2",
                Optional.empty(), KnownIssue.CONFIG));
        fx.known.add(new KnownIssue("fixed", "^k\\.<script>", Optional.empty(), "https://bugs.example.org/3",
                Optional.of(fx.m(5)), KnownIssue.ADMIN));
    }

    @Test
    void theApiCarriesTheMatchAndTheSplit() throws Exception {
        JsonNode c = fx.http.json("/api/v1/commits/" + fx.m(5));
        assertEquals(3, c.get("counts").get("failed").asInt());
        assertEquals(1, c.get("counts").get("failed_known").asInt());
        assertEquals(2, c.get("counts").get("failed_new").asInt());
        for (JsonNode t : c.get("tests")) {
            String name = t.get("name").asText();
            if (name.equals("k.b")) {
                assertEquals(JSON.readTree("{\"id\":\"btree\",\"url\":\"https://bugs.example.org/1\"}"),
                        t.get("known_issue"));
            } else {
                assertTrue(t.get("known_issue").isNull(), name + " is masked by nothing: " + t);
            }
        }
        JsonNode m3 = fx.http.json("/api/v1/commits/" + fx.m(3));
        assertEquals(0, m3.get("counts").get("failed_known").asInt(), "k.b at m3 has no log with the line");
        JsonNode commits = fx.http.json("/api/v1/branches/main/commits");
        assertEquals(1, commits.get("commits").get(0).get("failed_known").asInt());
        assertEquals(2, commits.get("commits").get(0).get("failed_new").asInt());
        JsonNode list = fx.http.json("/api/v1/known-issues");
        assertEquals(List.of("btree", "wrong-log", "fixed"), list.get("known_issues").findValuesAsText("id"));
        assertEquals("admin", list.get("known_issues").get(2).get("source").asText());
    }

    @Test
    void theCommitPageShowsKnownInsteadOfNewAndTheSplit() throws Exception {
        String html = fx.http.html("/ci?commit=" + fx.m(5));
        List<String> b = HtmlRows.cells(html, ">k.b</a>");
        assertTrue(b.get(0).contains("<a class=\"badge badge-known\" href=\"https://bugs.example.org/1\" "
                + "title=\"known issue\">known: btree</a>"), b.get(0));
        assertFalse(b.get(0).contains(">new<"), b.get(0));
        assertTrue(html.contains("<p class=\"failure-counts\" id=\"failure-counts\">3 failed: "
                + "<span class=\"n-new\">2 new</span>, <span class=\"n-known\">1 known</span></p>"), html);
        assertFalse(HtmlRows.cells(html, ">k.new</a>").get(0).contains("badge-known"));
    }

    @Test
    void theBranchLogSplitsItsFailedCount() throws Exception {
        String html = fx.http.html("/ci?branch=main");
        assertTrue(html.contains("<td class=\"n-failed\">3 <span class=\"n-known\">(1 known)</span></td>"), html);
    }
}
