package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error replies (http.md §9), methods (§1), regex bounds (§2) and security headers (§10). */
class ErrorsAndHeadersTest extends SharedDashboardTest {
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";


    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of("/ci", "/ci?format=json", "/api/v1/branches", "/c/" + fx.m(5) + "/k.b/status",
                "/nope", "/healthz", "/", "/static/ktest-ci.css", "/ci?branch=boom", "/c/" + fx.m(5) + "/k.b/log.br")) {
            HttpResponse<byte[]> r = http.get(path);
            assertEquals("nosniff", Http.header(r, "X-Content-Type-Options"), path);
            assertEquals("no-referrer", Http.header(r, "Referrer-Policy"), path);
            assertEquals("DENY", Http.header(r, "X-Frame-Options"), path);
            boolean html = Http.header(r, "Content-Type").startsWith("text/html");
            assertEquals(html ? CSP : "", Http.header(r, "Content-Security-Policy"), path);
        }
        assertEquals("", Http.header(http.get("/ci"), "Access-Control-Allow-Origin"), "HTML views are same-origin");
    }

    @Test
    void unknownPathsAreNotFoundPages() throws Exception {
        HttpResponse<byte[]> r = http.get("/nope");
        assertEquals(404, r.statusCode());
        assertTrue(Http.body(r).contains("<title>404 Not Found</title>"));
        assertTrue(Http.body(r).contains("<a href=\"/ci\">"));
        assertEquals("{\"error\":\"Not found\"}", Http.body(http.get("/nope?format=json")));
        for (String path : List.of("/ci/x", "/api/v1/branches/", "/api/v2/branches", "/static/nope.css",
                "/static/..%2Fsecret", "/healthz/", "/c")) {
            assertEquals(404, http.get(path).statusCode(), path);
        }
    }

    @Test
    void knownPathsWithAnotherMethodAreNotAllowed() throws Exception {
        for (String[] c : new String[][] {{"POST", "/ci"}, {"HEAD", "/ci"}, {"PUT", "/"}, {"DELETE", "/healthz"},
                {"POST", "/static/commit.js"}, {"POST", "/api/v1/commits/" + fx.m(5)}}) {
            HttpResponse<byte[]> r = http.send(c[0], c[1]);
            assertEquals(405, r.statusCode(), c[0] + " " + c[1]);
            assertEquals("GET", Http.header(r, "Allow"), c[0] + " " + c[1]);
        }
    }

    @Test
    void unknownUserBranchAndCommitAreNotFoundWithEscapedMessages() throws Exception {
        HttpResponse<byte[]> user = http.get("/ci?user=bob%3Cb%3E");
        assertEquals(404, user.statusCode());
        assertTrue(Http.body(user).contains("<p>User bob&lt;b&gt; not found</p>"), Http.body(user));
        assertEquals("{\"error\":\"User bob<b> not found\"}", Http.body(http.get("/ci?user=bob%3Cb%3E&format=json")));
        assertEquals("{\"error\":\"Branch nope not found\"}", Http.body(http.get("/ci?branch=nope&format=json")));
        HttpResponse<byte[]> commit = http.get("/ci?commit=" + "e".repeat(40) + "&format=json");
        assertEquals(404, commit.statusCode());
        assertEquals("{\"error\":\"Commit " + "e".repeat(40) + " not found\"}", Http.body(commit));
        HttpResponse<byte[]> ambiguous = http.get("/ci?commit=abcdef1");
        assertEquals(400, ambiguous.statusCode());
        assertTrue(Http.body(ambiguous).contains("ambiguous commit prefix abcdef1 (2 matches)"));
    }

    @Test
    void badRegexesAreRejectedWithTheirReason() throws Exception {
        HttpResponse<byte[]> invalid = http.get("/ci?branch=main&test=%28&format=json");
        assertEquals(400, invalid.statusCode());
        assertEquals("{\"error\":\"invalid test regex: Unclosed group\"}", Http.body(invalid));
        HttpResponse<byte[]> tooLong = http.get("/ci?branch=main&format=json&test=" + "a".repeat(257));
        assertEquals(400, tooLong.statusCode());
        assertEquals("{\"error\":\"invalid test regex: longer than 256 characters\"}", Http.body(tooLong));
        assertEquals(200, http.get("/ci?branch=main&format=json&test=" + "a".repeat(256)).statusCode());
        HttpResponse<byte[]> html = http.get("/ci?commit=" + fx.m(5) + "&test=%5B");
        assertEquals(400, html.statusCode());
        assertTrue(Http.body(html).contains("<title>400 Bad Request</title>"));
    }

    @Test
    void catastrophicRegexesRunOutOfBudget() throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = http.get("/ci?branch=main&format=json&test=%5E%28a%2B%29%2B%5C1%24");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"test regex too expensive\"}", Http.body(r));
        assertTrue(millis < 5_000, "answered in " + millis + " ms");
    }

    @Test
    void internalErrorsShowOnlyAnErrorId() throws Exception {
        HttpResponse<byte[]> html = http.get("/ci?branch=boom");
        assertEquals(500, html.statusCode());
        String body = Http.body(html);
        assertTrue(body.matches("(?s).*internal error, id <code>err-[0-9a-f]{8}</code>.*"), body);
        for (String leak : List.of("secret detail", "/etc/", "IllegalStateException", "at org.")) {
            assertFalse(body.contains(leak), leak);
        }
        JsonNode json = Http.JSON.readTree(http.get("/ci?branch=boom&format=json").body());
        assertEquals("internal error", json.get("error").asText());
        assertTrue(json.get("id").asText().matches("err-[0-9a-f]{8}"), json.toString());
        assertEquals(2, json.size());
    }

    @Test
    void anUnavailableCoordinatorIsServiceUnavailable() throws Exception {
        HttpResponse<byte[]> r = http.get("/ci?branch=down&format=json");
        assertEquals(503, r.statusCode());
        assertEquals("{\"error\":\"coordinator unavailable\"}", Http.body(r));
    }

    @Test
    void overlongAndMalformedQueriesAreRefused() throws Exception {
        assertEquals(414, http.get("/ci?branch=main&test=" + "a".repeat(4100)).statusCode());
        assertEquals(400, http.rawStatus("GET", "/ci?branch=%zz"));
    }

    @Test
    void aClientSentRawRequestUriHeaderDoesNotReplaceTheRealTarget() throws Exception {
        assertEquals(200, http.rawStatus("GET", "/healthz", "Raw-Request-URI: /c/../../etc/passwd"));
        assertEquals(400, http.rawStatus("GET", "/c/" + fx.m(5) + "/../x", "Raw-Request-URI: /healthz"));
    }

    @Test
    void healthAndStaticFilesAreServed() throws Exception {
        HttpResponse<byte[]> health = http.get("/healthz");
        assertEquals("ok", Http.body(health));
        assertEquals("text/plain; charset=utf-8", Http.header(health, "Content-Type"));
        HttpResponse<byte[]> css = http.get("/static/ktest-ci.css");
        assertEquals("text/css; charset=utf-8", Http.header(css, "Content-Type"));
        for (String cls : List.of(".table-success", ".table-danger", ".table-secondary", ".h-passed", ".h-failed",
                ".h-other", ".h-none", ".first-failing", ".badge")) {
            assertTrue(Http.body(css).contains(cls), cls);
        }
        HttpResponse<byte[]> js = http.get("/static/commit.js");
        assertEquals("text/javascript; charset=utf-8", Http.header(js, "Content-Type"));
        assertTrue(Http.body(js).contains("textContent"));
        assertFalse(Http.body(js).contains("innerHTML"));
    }
}
