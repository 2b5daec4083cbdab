package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.DashboardFixture.HOSTILE_MESSAGE;
import static org.ktestci.dashboard.Http.JSON;

/** {@code /api/v1} branches and commits (http.md §5.1–§5.3). */
class ApiV1Test extends SharedDashboardTest {
    @Test
    void branchesDescribeEachTrackedBranchCompactly() throws Exception {
        HttpResponse<byte[]> r = http.get("/api/v1/branches");
        assertEquals(200, r.statusCode());
        assertFalse(Http.body(r).contains("\n"), "compact JSON");
        assertEquals("*", Http.header(r, "Access-Control-Allow-Origin"));
        JsonNode doc = JSON.readTree(r.body());
        assertEquals("ci", doc.get("user").asText());
        ObjectNode main = JSON.createObjectNode().put("name", "main").put("repo", "linux")
                .put("fetch", "https://***@git.example.org/linux.git master");
        main.putArray("test_groups").add("quick");
        main.put("tip", fx.m(5)).put("tip_subject", "fix <script>alert('x')</script> & \"q\"")
                .put("last_fetch", "2026-01-02T03:04:05Z").putNull("last_fetch_error").put("untested_commits", 2)
                .putNull("pending_jobs").putNull("leased_jobs");
        assertEquals(Http.normalized(main), doc.get("branches").get(0));
        assertEquals("fatal: <could not read>", doc.get("branches").get(1).get("last_fetch_error").asText());
        assertEquals(101, doc.get("branches").get(1).get("untested_commits").asInt());
        assertTrue(doc.get("branches").get(1).get("last_fetch").isNull());
    }

    @Test
    void commitCarriesCountsJournalDetailsAndLogUrls() throws Exception {
        JsonNode c = http.json("/api/v1/commits/" + fx.m(5).substring(0, 9));
        assertEquals(fx.m(5), c.get("commit").asText());
        assertEquals(HOSTILE_MESSAGE, c.get("message").asText());
        assertEquals("linux", c.get("repo").asText());
        assertEquals(JSON.readTree("[\"main\"]"), c.get("branches"));
        assertEquals(JSON.readTree("{\"passed\":1,\"failed\":3,\"failed_new\":3,\"failed_known\":0,\"failed_flaky\":0,"
                + "\"notrun\":0,\"failed_to_run\":1,\"inprogress\":1,\"unknown\":1}"), c.get("counts"));
        String dir = "/c/" + fx.m(5);
        ObjectNode b = JSON.createObjectNode().put("name", "k.b").put("status", "failed")
                .put("status_line", "========= FAILED b in 31s").put("duration", 31)
                .put("starttime", "2023-11-14T23:13:20Z").put("host", "farm1").put("slot", 3).put("arch", "aarch64")
                .put("attempt", 2).put("run", "runner=qemu").putNull("known_issue").putNull("reason")
                .set("reruns", JSON.createArrayNode());
        b.put("flaky", false).putNull("first_bad").put("log_url", dir + "/k.b/log.br")
                .put("full_log_url", dir + "/k.b/full_log.br");
        ObjectNode gotB = (ObjectNode) c.get("tests").get(2).deepCopy();
        JsonNode repro = gotB.remove("repro");
        assertEquals(Http.normalized(b), gotB);
        assertEquals("qemu", repro.get("runner").asText(), "an earlier worker's run string still gives a repro");
        assertTrue(repro.get("shell").asText().contains("no command line"), repro.toString());
        ObjectNode a = JSON.createObjectNode().put("name", "k.a").put("status", "passed").putNull("status_line")
                .put("duration", 13).put("starttime", "2023-11-14T22:13:33Z").putNull("host").putNull("slot")
                .putNull("arch").putNull("attempt").putNull("run").putNull("repro").putNull("known_issue")
                .putNull("reason");
        a.set("reruns", JSON.createArrayNode());
        a.put("flaky", false).putNull("first_bad").put("log_url", dir + "/k.a/log.br")
                .put("full_log_url", dir + "/k.a/full_log.br");
        assertEquals(Http.normalized(a), c.get("tests").get(1), "no journal details: nulls; starttime from the blob");
        assertEquals("failedToRun", c.get("tests").get(3).get("status").asText());
        assertEquals(JSON.readTree("{\"code\":\"checkout_failed\",\"attempts\":[{\"attempt\":1,\"host\":\"farm1\","
                + "\"slot\":0,\"lease_id\":\"lease-a\",\"reason\":\"checkout_failed\",\"at\":\"2023-11-14T22:14:00Z\"},"
                + "{\"attempt\":2,\"host\":\"farm2\",\"slot\":1,\"lease_id\":\"lease-b\",\"reason\":\"checkout_failed\","
                + "\"at\":\"2023-11-14T22:14:10Z\"}]}"), c.get("tests").get(3).get("reason"),
                "without a journal the reason comes from the fallback full log");
        JsonNode inProgress = c.get("tests").get(4);
        assertEquals("inprogress", inProgress.get("status").asText());
        assertTrue(inProgress.get("starttime").isNull());
        assertTrue(inProgress.get("log_url").isNull(), "no log while in progress");
        assertEquals(List.of("k.b"), http.json("/api/v1/commits/" + fx.m(5) + "?test=%5Ek%5C.b%24")
                .get("tests").findValuesAsText("name"));
    }

    @Test
    void commitLookupErrorsAreJson() throws Exception {
        HttpResponse<byte[]> unknown = http.get("/api/v1/commits/" + "e".repeat(40));
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error\":\"Commit " + "e".repeat(40) + " not found\"}", Http.body(unknown));
        assertEquals("*", Http.header(unknown, "Access-Control-Allow-Origin"));
        HttpResponse<byte[]> ambiguous = http.get("/api/v1/commits/abcdef1");
        assertEquals(400, ambiguous.statusCode());
        assertEquals("{\"error\":\"ambiguous commit prefix abcdef1 (2 matches)\"}", Http.body(ambiguous));
        assertEquals(404, http.get("/api/v1/commits/abc").statusCode(), "prefixes need 7 characters");
        assertEquals(404, http.get("/api/v1/commits/" + "f".repeat(40)).statusCode(), "directory without a blob");
        HttpResponse<byte[]> regex = http.get("/api/v1/commits/" + fx.m(5) + "?test=%5B");
        assertEquals(400, regex.statusCode());
        assertTrue(Http.body(regex).startsWith("{\"error\":\"invalid test regex: "), Http.body(regex));
    }

    @Test
    void branchCommitsArePagedByCursorNewestFirst() throws Exception {
        JsonNode first = http.json("/api/v1/branches/main/commits?limit=4");
        assertEquals("main", first.get("branch").asText());
        assertEquals(List.of(fx.m(5), fx.m(4), fx.m(3), fx.m(2)), first.get("commits").findValuesAsText("commit"));
        assertTrue(first.get("commits").get(0).get("tested").asBoolean());
        assertFalse(first.get("commits").get(1).get("tested").asBoolean(), "untested commits are listed too");
        assertEquals(3, first.get("commits").get(0).get("failed").asInt());
        assertEquals(7, first.get("commits").get(0).get("total").asInt());
        assertEquals(fx.m(2), first.get("next_cursor").asText());
        JsonNode second = http.json("/api/v1/branches/main/commits?limit=4&cursor=" + fx.m(2));
        assertEquals(List.of(fx.m(1), fx.m(0)), second.get("commits").findValuesAsText("commit"));
        assertTrue(second.get("next_cursor").isNull());
        assertEquals(400, http.get("/api/v1/branches/main/commits?limit=0").statusCode());
        assertEquals(400, http.get("/api/v1/branches/main/commits?limit=501").statusCode());
        assertEquals(400, http.get("/api/v1/branches/main/commits?cursor=" + "e".repeat(40)).statusCode());
        assertEquals("{\"error\":\"Branch nope not found\"}", Http.body(http.get("/api/v1/branches/nope/commits")));
    }

    @Test
    void otherMethodsAreRefusedWithoutCrossOriginAccess() throws Exception {
        HttpResponse<byte[]> post = http.send("POST", "/api/v1/branches");
        assertEquals(405, post.statusCode());
        assertEquals("GET", Http.header(post, "Allow"));
        assertEquals("{\"error\":\"method not allowed\"}", Http.body(post));
        assertEquals("", Http.header(post, "Access-Control-Allow-Origin"));
        HttpResponse<byte[]> unknown = http.get("/api/v1/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error\":\"Not found\"}", Http.body(unknown));
    }
}
