package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.kcidb.KcidbSchema;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.Http.JSON;

/**
 * {@code /api/v1/kcidb} (issue 14 item 7) over the fixture's commit with every status, a hostile key, journal
 * details and a Failed to run result: valid against KCIDB's own schema, its log URLs absolute and served.
 */
class KcidbApiTest extends SharedDashboardTest {
    @Override
    String basePath() {
        return "/base";
    }

    @Test
    void theExportOfARealCommitIsValidKcidb() throws Exception {
        HttpResponse<byte[]> r = fx.http.get("/base/api/v1/kcidb?commit=" + fx.m(5).substring(0, 8));
        assertEquals(200, r.statusCode(), Http.body(r));
        assertEquals("*", Http.header(r, "Access-Control-Allow-Origin"));
        assertEquals(List.of(), KcidbSchema.errors(KcidbSchema.load(), Http.body(r)));
        JsonNode doc = JSON.readTree(r.body());
        assertEquals("ktest_ci:" + fx.m(5), doc.get("checkouts").get(0).get("id").asText());
        assertEquals(List.of("FAIL", "PASS", "FAIL", "ERROR", "MISS", "FAIL"), doc.get("tests").findValuesAsText("status"),
                "In progress (k.d) is left out");
        JsonNode b = doc.get("tests").get(2);
        assertEquals("ktest_ci:" + fx.m(5) + ":k.b", b.get("id").asText());
        assertEquals("farm1", b.get("environment").get("misc").get("host").asText());
        String logUrl = b.get("log_url").asText();
        assertTrue(logUrl.matches("^http://127\\.0\\.0\\.1:\\d+/base/c/" + fx.m(5) + "/k\\.b/log\\.br$"), logUrl);
        assertEquals(200, fx.http.get(logUrl.substring(logUrl.indexOf("/base/"))).statusCode(), "the log is served");
        assertEquals("k._script_alert_1___script_", doc.get("tests").get(0).get("path").asText());
        assertEquals("aarch64", doc.get("builds").get(0).get("architecture").asText());
    }

    @Test
    void commitIsRequiredAndMustHaveResults() throws Exception {
        assertEquals("{\"error\":\"commit is required\"}", Http.body(fx.http.get("/base/api/v1/kcidb")));
        assertEquals(404, fx.http.get("/base/api/v1/kcidb?commit=" + "e".repeat(40)).statusCode());
        assertEquals(405, fx.http.send("POST", "/base/api/v1/kcidb?commit=" + fx.m(5)).statusCode());
    }
}
