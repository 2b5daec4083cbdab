package org.ktestci.launcher.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web holes of issue 12 as an attacker met them, against a real coordinator: made-up admin routes growing
 * /metrics, a [z-a] pattern answering 500, a star-heavy pattern backtracking on a long key, a token file that
 * turned world-readable after start, and fetch URL credentials (a bare token, a password with '@' and '/') in
 * /api/v1/branches and the coordinator's log.
 */
class WebHolesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0123456789abcdef0123456789abcdef-holes";
    private static final String URL_TOKEN = "ghp_UrlT0kenThatMustNotLeak42";
    private static final String PASSWORD = "p@ss/w0rd";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String LONG = "a".repeat(60);

    @TempDir
    Path dir;

    private static HttpResponse<String> post(String url, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> series(String base) throws Exception {
        return get(base + "/metrics").body().lines().filter(l -> l.startsWith("ktest_ci_http_"))
                .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theWebHolesAreClosed() throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: commit").get(0);
        fx.testFile("t.ktest", CiFixture.passingTest("a " + LONG));
        Path token = fx.adminToken(TOKEN);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String top = """
                fetch_interval = 5
                [branch.tok]
                fetch = "https://%s@127.0.0.1:%d/o/r.git main"
                test_groups = ["g"]
                [branch.pw]
                fetch = "https://alice:%s@127.0.0.1:%d/r.git main"
                test_groups = ["g"]
                """.formatted(URL_TOKEN, closed, PASSWORD, closed);
        Path cfg = fx.config("ktest-ci.toml", "t.ktest", top, CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER, "admin_token_file = \"admin.token\"");

        Logger log = (Logger) LoggerFactory.getLogger(BranchWatcher.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            assertEquals(2, CiFixture.awaitVerdicts(node.httpPort(), sha, 2, Duration.ofSeconds(90)).size(),
                    "no verdicts");

            // 1. Fetch URL credentials: masked in the API (URL and last error) and in the log.
            JsonNode branches = JSON.readTree(get(base + "/api/v1/branches").body()).get("branches");
            for (JsonNode b : branches) {
                String text = b.toString();
                assertFalse(text.contains(URL_TOKEN) || text.contains(PASSWORD) || text.contains("ss/w0rd"), text);
                if (!b.get("name").asText().equals("main")) {
                    assertTrue(b.get("fetch").asText().startsWith("https://***@127.0.0.1:" + closed + "/"), text);
                    assertTrue(b.get("last_fetch_error").asText().contains("https://***@127.0.0.1:" + closed), text);
                }
            }
            List<String> logged = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(logged.size() >= 2, logged.toString());
            for (String line : logged) {
                assertFalse(line.contains(URL_TOKEN) || line.contains(PASSWORD) || line.contains("ss/w0rd"), line);
            }

            // 2. Made-up admin routes add no metrics series (measured before: 300 POSTs, 4,816 more lines).
            post(base + "/api/v1/admin/warmup", "", null);
            series(base);
            Set<String> before = series(base);
            Random random = new Random(5);
            for (int i = 0; i < 300; i++) {
                String word = Long.toString(random.nextLong() & Long.MAX_VALUE, 36).replaceAll("[0-9]", "q");
                assertEquals(404, post(base + "/api/v1/admin/" + word, "", null).statusCode());
            }
            assertEquals(before, series(base));

            // 3. A world-readable or short token file is refused after start too.
            assertEquals(202, post(base + "/api/v1/admin/refill", "", TOKEN).statusCode());
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(503, post(base + "/api/v1/admin/refill", "", TOKEN).statusCode());
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(token, "short\n");
            assertEquals(503, post(base + "/api/v1/admin/refill", "", "short").statusCode());
            Files.writeString(token, TOKEN + "\n");

            // 4. A bad glob is a 400 that says why (measured before: 500).
            HttpResponse<String> bad = post(base + "/api/v1/admin/rerun", "{\"commit\": \"" + sha
                    + "\", \"pattern\": \"[z-a]\", \"dry_run\": true}", TOKEN);
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals("invalid pattern: range z-a is reversed (at character 2)",
                    JSON.readTree(bad.body()).get("error").asText());

            // 5. Last, as it would hang a regex matcher: a star-heavy pattern against a 62-character key.
            HttpResponse<String> stars = post(base + "/api/v1/admin/rerun", "{\"commit\": \"" + sha
                    + "\", \"pattern\": \"*a*a*a*a*a*a*a*a*b\", \"dry_run\": true}", TOKEN);
            assertEquals(200, stars.statusCode(), stars.body());
            assertEquals(0, JSON.readTree(stars.body()).get("cleared").asInt());
            HttpResponse<String> match = post(base + "/api/v1/admin/rerun", "{\"commit\": \"" + sha
                    + "\", \"pattern\": \"*a*a*a*a*a*a*a*a*\", \"dry_run\": true}", TOKEN);
            assertEquals("[\"t." + LONG + "\"]", JSON.readTree(match.body()).get("keys").toString());
        } finally {
            log.detachAppender(captured);
        }
    }
}
