package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * Issue 14 item 7 on a real run: {@code /api/v1/kcidb} with the configured origin, the branch as the checkout's
 * source, the journal's run places, log URLs that are served; {@code ci-status kcidb} prints the same, remote and
 * local. (The document's validity against KCIDB's schema is checked in schema and dashboard-http.)
 */
class KcidbEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRealCommitExportsAsKcidbFromTheApiAndTheCli(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: export me").get(0);
        fx.testFile("fs/k.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "p f" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do echo "========= TEST   $t"
                        [ $t = p ] && echo "========= PASSED p in 0s" || echo "========= FAILED f in 0s"; done ;;
                esac
                """);
        Path config = fx.config("ktest-ci.toml", "fs/k.ktest", "kcidb_origin = \"my_ci\"", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            await("both verdicts", () -> statusOf(http, base, sha, "fs.k.p").filter("passed"::equals)
                    .flatMap(p -> statusOf(http, base, sha, "fs.k.f")).filter("failed"::equals));
            JsonNode doc = get(http, base + "/api/v1/kcidb?commit=" + sha).json();
            JsonNode checkout = doc.get("checkouts").get(0);
            assertEquals("my_ci:" + sha, checkout.get("id").asText());
            assertEquals("main", checkout.get("git_repository_branch").asText());
            assertEquals("bcachefs: export me change 1", checkout.get("comment").asText());
            assertEquals(List.of("my_ci:" + sha + ":fs.k.f", "my_ci:" + sha + ":fs.k.p"),
                    doc.get("tests").findValuesAsText("id"));
            assertEquals(List.of("FAIL", "PASS"), doc.get("tests").findValuesAsText("status"));
            assertEquals("my_ci:" + sha + ":", doc.get("builds").get(0).get("id").asText(), "built from the checkout");
            assertEquals("x86_64", doc.get("builds").get(0).get("architecture").asText());
            for (JsonNode t : doc.get("tests")) {
                String log = t.get("log_url").asText();
                assertTrue(log.startsWith(base + "/c/" + sha + "/"), log);
                assertEquals(200, get(http, log).status(), log);
            }

            LiveDashboardTest.Cli remote = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "kcidb", sha.substring(0, 8));
            assertEquals(0, remote.code(), remote.err());
            assertEquals(doc, JSON.readTree(remote.out()));

            LiveDashboardTest.Cli local = ciStatus("--config", config.toString(), "kcidb", sha);
            assertEquals(0, local.code(), local.err());
            JsonNode mine = JSON.readTree(local.out());
            assertEquals(doc.get("checkouts"), mine.get("checkouts"));
            assertEquals(doc.get("tests").findValuesAsText("id"), mine.get("tests").findValuesAsText("id"));
            assertEquals(doc.get("tests").findValuesAsText("status"), mine.get("tests").findValuesAsText("status"));
        }
    }
}
