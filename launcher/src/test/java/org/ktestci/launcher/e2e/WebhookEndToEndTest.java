package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;

/**
 * Issue 14 item 8 through the whole product: a coordinator with a worker tests two commits; {@code r} passes at
 * the older one and fails at the tip, its re-run confirms it, and the coordinator POSTs the branch's two events (the
 * {@code new_failure}, and {@code first_bad_found} naming the tip) to a receiver on 127.0.0.1, one request each,
 * signed with the configured secret, each carrying the same event the branch's events list has.
 */
class WebhookEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    record Delivery(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    @Test
    void aNewFailureAndItsFirstBadCommitArePostedOnceEachSignedAsTheEventsListHasThem(@TempDir Path dir) throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            deliveries.add(new Delivery(Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            CiFixture fx = new CiFixture(dir);
            List<String> shas = fx.repos(2, "bcachefs: webhook");
            String older = shas.get(0);
            String tip = shas.get(1);
            fx.testFile("fs/wh.ktest", """
                    #!/usr/bin/env bash
                    src="$(dirname "$(ls -d "$ktest_deps_dir"/*/.git | head -1)")"
                    sha="$(git -C "$src" rev-parse HEAD)"
                    run_one() {
                        echo "========= TEST   $1"
                        if [ "$1" = r ] && [ "$sha" = "%s" ]; then
                            echo "regressed at the tip"; echo "========= FAILED r in 0s"
                        else
                            echo "========= PASSED $1 in 0s"
                        fi
                    }
                    case $1 in
                        list-tests) echo "r p" ;;
                        deps) echo "ktest_no_vm=1" ;;
                        run-tests) shift; for t in "$@"; do run_one "$t"; done ;;
                    esac
                    """.formatted(tip));
            Path secret = dir.resolve("webhook.secret");
            Files.writeString(secret, SECRET + "\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path config = fx.config("ktest-ci.toml", "fs/wh.ktest", "flake_retries = 1", CiFixture.PLAINTEXT,
                    CiFixture.HOST_WORKER);
            Files.writeString(config, """
                    [notify]
                    webhook_urls = ["http://127.0.0.1:%d/hook"]
                    webhook_secret_file = "%s"
                    """.formatted(receiver.getAddress().getPort(), secret), StandardOpenOption.APPEND);

            HttpClient http = HttpClient.newHttpClient();
            try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                    ConfigRole.COORDINATOR_WITH_WORKER), true)) {
                String base = "http://127.0.0.1:" + node.httpPort();
                for (String sha : shas) {
                    CiFixture.awaitVerdicts(node.httpPort(), sha, 2, Duration.ofSeconds(120));
                }
                String events = base + "/api/v1/branches/main/events";
                JsonNode listed = await(() -> "the branch's two events: " + get(http, events).body(),
                        () -> Optional.of(get(http, events).json().get("events")).filter(e -> e.size() == 2));
                await(() -> deliveries.size() + " of 2 webhooks", () -> Optional.of(deliveries.size())
                        .filter(n -> n >= 2));
                for (JsonNode expected : listed) {
                    List<Delivery> sent = deliveries.stream().filter(d -> expected.get("id").asText()
                            .equals(d.header("X-KtestCI-Delivery"))).toList();
                    assertEquals(1, sent.size(), "one request for " + expected + " at the one URL");
                    Delivery d = sent.get(0);
                    assertEquals(expected, JSON.readTree(d.body()), "the webhook carries the events list's event");
                    assertEquals(expected.get("type").asText(), d.header("X-KtestCI-Event"));
                    assertEquals("sha256=" + hmac(d.body()), d.header("X-KtestCI-Signature"),
                            "HMAC-SHA256 of the exact body with the file's trimmed secret");
                    assertTrue(d.header("Content-Type").startsWith("application/json"), d.header("Content-Type"));
                }
                assertEquals(2, deliveries.size(), "two events, one URL: two requests");
                Map<String, JsonNode> byType = new HashMap<>();
                listed.forEach(e -> byType.put(e.get("type").asText(), e));
                JsonNode failure = byType.get("new_failure");
                assertEquals("fs.wh.r", failure.get("test").asText());
                assertEquals("main", failure.get("branch").asText());
                assertEquals(tip, failure.get("commit").get("sha").asText());
                assertEquals(older, failure.get("previous_commit").asText(), "r passed there");
                JsonNode firstBad = byType.get("first_bad_found");
                assertEquals(tip, firstBad.get("commit").get("sha").asText(), "the tip's parent passed: exact");
                assertTrue(firstBad.get("exact").asBoolean());
                assertEquals(older, firstBad.get("last_good_commit").asText());
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
