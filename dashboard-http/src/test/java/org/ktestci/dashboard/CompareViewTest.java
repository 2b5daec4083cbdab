package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.DashboardFixture.HOSTILE_KEY;

/** {@code /ci?compare=A...B} and {@code /api/v1/compare} (issue 14 item 6) over the fixture's history. */
class CompareViewTest extends SharedDashboardTest {
    @Test
    void theApiListsEveryCategoryForAnyTwoCommits() throws Exception {
        JsonNode c = fx.http.json("/api/v1/compare?base=" + fx.m(0).substring(0, 9) + "&head=" + fx.m(5));
        assertEquals(fx.m(0), c.get("base").asText());
        assertEquals(List.of("k.b"), c.get("new_failures").findValuesAsText("name"));
        assertEquals("passed", c.get("new_failures").get(0).get("base").get("status").asText());
        assertEquals(List.of(HOSTILE_KEY, "k.c", "k.d", "k.e", "k.new"), c.get("new_tests").findValuesAsText("name"));
        assertEquals(List.of(DashboardFixture.BOMB_KEY, "k.flaky"), c.get("removed_tests").findValuesAsText("name"));
        assertEquals(0, c.get("counts").get("fixed").asInt());
        JsonNode back = fx.http.json("/api/v1/compare?base=" + fx.m(3) + "&head=" + fx.m(2));
        assertEquals(List.of("k.flaky"), back.get("fixed").findValuesAsText("name"), "an older head: fine too");
        assertEquals(List.of("k.b"), back.get("still_failing").findValuesAsText("name"));
    }

    @Test
    void thePageShowsTheSectionsWithUntrustedNamesEscaped() throws Exception {
        String html = fx.http.html("/ci?compare=" + fx.m(0).substring(0, 7) + "..." + fx.m(5).substring(0, 7));
        assertTrue(html.contains("<h1>Compare " + fx.m(0).substring(0, 12) + "..." + fx.m(5).substring(0, 12)), html);
        assertTrue(html.contains("<h3 id=\"new-failures\">New failures (1)</h3>"), html);
        assertTrue(html.contains("data-key=\"k.b\"><td><a href=\"/c/" + fx.m(5) + "/k.b/log.br\">k.b</a></td>"
                + "<td>Passed <span class=\"duration\">20s</span></td><td>Failed <span class=\"duration\">31s</span>"),
                html);
        assertFalse(html.contains("<script>alert"), "keys and subjects are escaped");
        assertTrue(html.contains("k.&lt;script&gt;alert(1)&lt;/script&gt;"));
        JsonNode j = fx.http.json("/ci?compare=" + fx.m(0) + "..." + fx.m(5) + "&format=json");
        assertEquals(1, j.get("counts").get("new_failures").asInt());
    }

    @Test
    void badRangesAndUnknownCommitsAreClearErrors() throws Exception {
        HttpResponse<byte[]> bad = fx.http.get("/api/v1/compare?base=" + fx.m(0));
        assertEquals(400, bad.statusCode());
        assertEquals("{\"error\":\"head is required\"}", Http.body(bad));
        assertEquals(400, fx.http.get("/ci?compare=" + fx.m(0) + ".." + fx.m(5)).statusCode());
        assertEquals(404, fx.http.get("/api/v1/compare?base=" + fx.m(0) + "&head=" + "e".repeat(40)).statusCode());
    }
}
