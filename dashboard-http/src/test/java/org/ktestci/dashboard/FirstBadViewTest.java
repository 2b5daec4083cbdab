package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.FirstBad;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What bisection found (issue 14 item 3) on the commit page, the test's history page and in /api/v1. */
class FirstBadViewTest extends SharedDashboardTest {
    FirstBad found;

    @BeforeAll
    void addTheFinding() throws Exception {
        found = new FirstBad(fx.m(2), "bcachefs: <b>break</b> k.b", "Dev & Co", true, List.of(fx.m(1)), 0, "");
        fx.firstBad.put(fx.m(5), Map.of("k.b", found));
        fx.firstBad.put(fx.m(2), Map.of("k.b", found));
    }

    @Test
    void theApiCarriesTheFindingOnTheFailureItExplains() throws Exception {
        JsonNode tests = fx.http.json("/api/v1/commits/" + fx.m(5)).get("tests");
        JsonNode b = null;
        for (JsonNode t : tests) {
            if (t.get("name").asText().equals("k.b")) {
                b = t;
            } else {
                assertTrue(t.get("first_bad").isNull(), t.toString());
            }
        }
        JsonNode f = b.get("first_bad");
        assertEquals(List.of(fx.m(2), "bcachefs: <b>break</b> k.b", "Dev & Co", "true", fx.m(1), "0"),
                List.of(f.get("sha").asText(), f.get("subject").asText(), f.get("author").asText(),
                        f.get("exact").asText(), f.get("good").get(0).asText(), f.get("candidates").asText()));
        assertTrue(f.get("untestable").isNull());
        JsonNode history = fx.http.json("/api/v1/tests/k.b/history?branch=main");
        for (JsonNode e : history.get("entries")) {
            boolean explained = e.get("commit").asText().equals(fx.m(5)) || e.get("commit").asText().equals(fx.m(2));
            assertEquals(explained, !e.get("first_bad").isNull(), e.toString());
        }
    }

    @Test
    void theCommitPageAndTheTestsHistoryShowTheFirstBadCommitEscaped() throws Exception {
        String page = Http.body(fx.http.get("/ci?commit=" + fx.m(5)));
        String row = page.substring(page.indexOf("data-key=\"k.b\""));
        row = row.substring(0, row.indexOf("</tr>"));
        assertTrue(row.contains("<div class=\"first-bad\">first bad: <a href=\"/ci?commit=" + fx.m(2)
                + "\"><code>" + fx.m(2).substring(0, 12) + "</code></a> bcachefs: &lt;b&gt;break&lt;/b&gt; k.b "
                + "<span class=\"author\">Dev &amp; Co</span></div>"), row);
        assertFalse(page.contains("<b>break</b>"), "the subject is escaped");
        String history = Http.body(fx.http.get("/ci?branch=main&test=%5Ek%5C.b%24"));
        assertEquals(2, history.split("class=\"first-bad\"", -1).length - 1, "on both explained failures");
    }
}
