package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route and every link lives under {@code [http] base_path}. */
class BasePathTest extends SharedDashboardTest {
    @Override
    String basePath() {
        return "/ktest/";
    }

    @Test
    void routesAndLinksCarryTheBasePath() throws Exception {
        HttpResponse<byte[]> redirect = http.get("/ktest/");
        assertEquals(302, redirect.statusCode());
        assertEquals("/ktest/ci", Http.header(redirect, "Location"));
        String home = http.html("/ktest/ci");
        assertTrue(home.contains("href=\"/ktest/static/ktest-ci.css\""));
        assertTrue(home.contains("<a href=\"/ktest/ci?user=ci&amp;branch=main\">main</a>"));
        String commit = http.html("/ktest/ci?commit=" + fx.m(5));
        assertTrue(commit.contains("href=\"/ktest/c/" + fx.m(5) + "/k.b/log.br\""));
        assertTrue(commit.contains("src=\"/ktest/static/commit.js\""));
        assertEquals("/ktest/c/" + fx.m(5) + "/k.b/full_log.br",
                http.json("/ktest/api/v1/commits/" + fx.m(5)).get("tests").get(2).get("full_log_url").asText());
        assertEquals("31", Http.body(http.get("/ktest/c/" + fx.m(5) + "/k.b/duration")));
        assertTrue(http.html("/ktest/c/" + fx.m(5) + "/").contains("href=\"/ktest/c/" + fx.m(5) + "/k.b/\""));
        assertEquals(404, http.get("/ci").statusCode());
        assertEquals(404, http.get("/ktestci").statusCode());
        assertEquals("nosniff", Http.header(http.get("/ci"), "X-Content-Type-Options"));
    }
}
