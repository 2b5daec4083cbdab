package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flakes in the views and the API (issue 14 item 4), over the fixture's main branch with {@code flake_window} 3
 * (m5, m3, m2): k.flaky failed at m3 and its re-run passed, k.b failed at m3 and both re-runs failed (a real
 * failure), k.b failed at m5 and its re-run passed.
 */
class FlakyViewTest extends SharedDashboardTest {
    static Observation rerun(int n, Status s) {
        return new Observation(n, s, "========= " + (s == Status.PASSED ? "PASSED" : "FAILED") + " x in 1s", 1,
                "farm2", 0, "R" + n, 1_700_000_000L);
    }

    @BeforeAll
    void addReruns() throws Exception {
        fx.reruns.put(fx.m(3), Map.of("k.flaky", List.of(rerun(1, Status.PASSED)),
                "k.b", List.of(rerun(1, Status.FAILED), rerun(2, Status.FAILED))));
        fx.reruns.put(fx.m(5), Map.of("k.b", List.of(rerun(1, Status.PASSED))));
    }

    @Test
    void theApiGivesEachFlakyTestsRateOverTheWindowWorstFirst() throws Exception {
        JsonNode f = fx.http.json("/api/v1/branches/main/flaky");
        assertEquals(3, f.get("window").asInt());
        assertEquals(3, f.get("commits").asInt());
        assertEquals(List.of("k.flaky", "k.b"), f.get("tests").findValuesAsText("name"));
        JsonNode flaky = f.get("tests").get(0);
        assertEquals(List.of(2, 1, 1), List.of(flaky.get("tested").asInt(), flaky.get("failed").asInt(),
                flaky.get("flaky").asInt()));
        assertEquals(0.5, flaky.get("rate").asDouble());
        assertEquals(List.of(fx.m(3)), List.of(flaky.get("flaky_commits").get(0).asText()));
        JsonNode b = f.get("tests").get(1);
        assertEquals(List.of(3, 3, 1), List.of(b.get("tested").asInt(), b.get("failed").asInt(),
                b.get("flaky").asInt()), "k.b's failure at m3 was confirmed by its re-runs: not flaky");
        assertEquals(0.333, b.get("rate").asDouble());
        assertEquals(404, fx.http.get("/api/v1/branches/nope/flaky").statusCode());
    }

    @Test
    void theCommitPageMarksAFlakyFailureAndAConfirmedOne() throws Exception {
        String html = fx.http.html("/ci?commit=" + fx.m(3));
        String flaky = HtmlRows.cells(html, ">k.flaky</a>").get(0);
        assertTrue(flaky.contains("<a class=\"badge badge-flaky\" href=\"/c/" + fx.m(3) + "/k.flaky/rerun-1.log.br\" "
                + "title=\"1 of 1 re-run passed\">flaky</a>"), flaky);
        assertFalse(flaky.contains(">new<"), "a flaky failure is not a new one: " + flaky);
        String b = HtmlRows.cells(html, ">k.b</a>").get(0);
        assertTrue(b.contains("<span class=\"reruns\" title=\"0 of 2 re-runs passed\">re-run 2×, failed</span>"), b);
        JsonNode api = fx.http.json("/api/v1/commits/" + fx.m(3));
        assertEquals(1, api.get("counts").get("failed_flaky").asInt());
        for (JsonNode t : api.get("tests")) {
            if (t.get("name").asText().equals("k.flaky")) {
                assertTrue(t.get("flaky").asBoolean());
                assertEquals("passed", t.get("reruns").get(0).get("status").asText());
                assertEquals("/c/" + fx.m(3) + "/k.flaky/rerun-1.log.br", t.get("reruns").get(0).get("log_url").asText());
            }
        }
    }

    @Test
    void theBranchPageLinksToTheFlakyView() throws Exception {
        assertTrue(fx.http.html("/ci?branch=main").contains("<a class=\"badge badge-flaky\" id=\"flaky-badge\" "
                + "href=\"/ci?flaky=main\">2 flaky tests</a>"));
        String view = fx.http.html("/ci?flaky=main");
        assertTrue(view.contains("2 flaky tests over the last 3 tested commits"), view);
        assertTrue(view.contains("<tr data-key=\"k.flaky\"><td>k.flaky</td><td class=\"rate\">50%</td><td>1</td>"
                + "<td>1</td><td>2</td>"), view);
    }
}
