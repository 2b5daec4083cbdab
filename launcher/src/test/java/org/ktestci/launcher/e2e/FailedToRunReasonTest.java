package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.logs.Brotli;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * Issue 14 item 1 on a real run: a test whose {@code deps} step fails on every attempt ends Failed to run, and its
 * reason with each attempt is in the fallback full log, the API, {@code format=json}, the commit page and
 * {@code ci-status show}/{@code logs}, remote and local.
 */
class FailedToRunReasonTest {
    @Test
    void aFailedToRunResultShowsItsReasonEverywhere(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: deps break").get(0);
        fx.testFile("fs/broken.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "x" ;;
                    deps) echo "cannot build deps" >&2; exit 3 ;;
                esac
                """);
        Path config = fx.config("ktest-ci.toml", "fs/broken.ktest", "infra_retries = 1", CiFixture.PLAINTEXT,
                "runner = \"host\"\nslots = 2\nmin_free_disk_gib = 0\n");
        HttpClient http = HttpClient.newHttpClient();
        String key = "fs.broken.x";
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            await("x failed to run", () -> statusOf(http, base, sha, key).filter("failedToRun"::equals));

            JsonNode test = await("the reason in the API", () -> {
                for (JsonNode t : get(http, base + "/api/v1/commits/" + sha).json().get("tests")) {
                    if (t.get("name").asText().equals(key) && t.get("reason").isObject()) {
                        return Optional.of(t);
                    }
                }
                return Optional.empty();
            });
            JsonNode reason = test.get("reason");
            assertEquals("deps_failed", reason.get("code").asText());
            assertEquals(2, reason.get("attempts").size(), reason.toString());
            assertEquals(List.of(1, 2), List.of(reason.get("attempts").get(0).get("attempt").asInt(),
                    reason.get("attempts").get(1).get("attempt").asInt()));
            for (JsonNode a : reason.get("attempts")) {
                assertEquals("deps_failed", a.get("reason").asText());
                assertTrue(a.get("at").asText().endsWith("Z"), a.toString());
                assertTrue(!a.get("lease_id").asText().isEmpty(), a.toString());
            }
            // Both attempts on the only host, but never on the same slot twice (scheduling.md §5).
            assertTrue(!reason.get("attempts").get(0).get("slot").equals(reason.get("attempts").get(1).get("slot")));

            Path fullLog = dir.resolve("out").resolve(sha).resolve(key).resolve("full_log.br");
            String log = await("the fallback full log", () -> Files.exists(fullLog) ? Optional.of(true)
                    : Optional.empty()) ? new String(Brotli.decompress(Files.readAllBytes(fullLog)),
                    StandardCharsets.UTF_8) : "";
            assertTrue(log.contains("\n# ---- failed to run ----\n# attempt 1 host="), log);
            assertTrue(log.contains(" reason=deps_failed at="), log);
            assertEquals(200, get(http, base + "/c/" + sha + "/" + key + "/full_log.br").status(),
                    "the full link of a Failed to run result is no 404");

            JsonNode ktestJson = get(http, base + "/ci?commit=" + sha + "&format=json").json();
            assertEquals("deps_failed", ktestJson.get("tests").get(0).get("reason").get("code").asText());

            String page = get(http, base + "/ci?commit=" + sha).body();
            assertTrue(page.contains("failed to run: <code class=\"reason-code\">deps_failed</code>"), page);
            assertTrue(page.contains("<li>attempt 2 on "), page);

            LiveDashboardTest.Cli show = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "show", sha);
            assertEquals(0, show.code(), show.err());
            assertTrue(show.out().contains("    reason: deps_failed (2 attempts: "), show.out());
            LiveDashboardTest.Cli json = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "--json", "show", sha);
            assertTrue(json.out().contains("\"code\" : \"deps_failed\""), json.out());
            LiveDashboardTest.Cli logs = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "logs", sha, key);
            assertEquals(0, logs.code(), logs.err());
            assertTrue(logs.out().startsWith(key + ": Failed to run: deps_failed\n  attempt 1 host="), logs.out());
            LiveDashboardTest.Cli list = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "logs", sha);
            assertTrue(list.out().contains("1 failed to run:\n  1. " + key + ": deps_failed (2 attempts: "),
                    list.out());
        }
        // Local mode reads the reason from the fallback log in output_dir: no coordinator needed.
        LiveDashboardTest.Cli local = ciStatus("--config", config.toString(), "show", sha);
        assertEquals(0, local.code(), local.err());
        assertTrue(local.out().contains("    reason: deps_failed (2 attempts: "), local.out());
    }
}
