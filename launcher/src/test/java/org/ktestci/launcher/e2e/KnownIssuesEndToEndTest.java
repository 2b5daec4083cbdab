package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.post;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * Issue 14 item 5 on a real run: a known issue of the config file and one defined through the admin API (with
 * its token) each mask exactly their failure — the log regex tells two failures of one test file apart — in the
 * API, the commit page and {@code ci-status}; the admin one survives a restart, and deleting it unmasks.
 */
class KnownIssuesEndToEndTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef-known";

    @Test
    void knownIssuesMaskExactlyTheirMatches(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: known").get(0);
        fx.testFile("fs/k.ktest", """
                #!/usr/bin/env bash
                run_one() {
                    echo "========= TEST   $1"
                    case $1 in
                        csum) echo "btree_node_read: checksum error"; echo "========= FAILED csum in 0s" ;;
                        oom) echo "Out of memory: killed"; echo "========= FAILED oom in 0s" ;;
                        other) echo "checksum fine"; echo "========= FAILED other in 0s" ;;
                        p) echo "========= PASSED p in 0s" ;;
                    esac
                }
                case $1 in
                    list-tests) echo "csum oom other p" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do run_one "$t"; done ;;
                esac
                """);
        fx.adminToken(TOKEN);
        Path config = fx.config("ktest-ci.toml", "fs/k.ktest", """
                [known_issue.csum]
                test = '^fs\\.k\\.'
                log = "checksum error"
                url = "https://bugs.example.org/csum"
                """, CiFixture.PLAINTEXT, CiFixture.HOST_WORKER,
                "admin_token_file = \"admin.token\"");
        HttpClient http = HttpClient.newHttpClient();
        String oom = "{\"id\": \"oom\", \"test\": \"\\\\.oom$\", \"url\": \"https://bugs.example.org/oom\"}";
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            await("the verdicts", () -> statusOf(http, base, sha, "fs.k.p").filter("passed"::equals)
                    .flatMap(x -> statusOf(http, base, sha, "fs.k.other")));
            assertEquals(List.of("fs.k.csum"), knownKeys(http, base, sha), "the log regex keeps other unmasked");

            assertEquals(401, post(http, base + "/api/v1/admin/known-issues", oom, null).status());
            assertEquals(400, post(http, base + "/api/v1/admin/known-issues",
                    "{\"id\": \"bad\", \"test\": \"(\", \"url\": \"https://x\"}", TOKEN).status());
            assertEquals(409, post(http, base + "/api/v1/admin/known-issues",
                    "{\"id\": \"csum\", \"test\": \"x\", \"url\": \"https://x\"}", TOKEN).status(),
                    "a config issue is changed in the config file");
            LiveDashboardTest.Answer saved = post(http, base + "/api/v1/admin/known-issues", oom, TOKEN);
            assertEquals(200, saved.status(), saved.body());
            assertEquals("admin", saved.json().get("source").asText());
            assertEquals(List.of("fs.k.csum", "fs.k.oom"), await("the admin issue applied",
                    () -> Optional.of(knownKeys(http, base, sha)).filter(k -> k.size() == 2)));
            JsonNode counts = get(http, base + "/api/v1/commits/" + sha).json().get("counts");
            assertEquals(List.of(3, 2, 1), List.of(counts.get("failed").asInt(), counts.get("failed_known").asInt(),
                    counts.get("failed_new").asInt()));
            String page = get(http, base + "/ci?commit=" + sha).body();
            assertTrue(page.contains(">known: oom</a>") && page.contains(">known: csum</a>"), page);
            LiveDashboardTest.Cli show = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "show", sha);
            assertTrue(show.out().contains("    known: oom https://bugs.example.org/oom\n"), show.out());
            assertTrue(show.out().contains(" 3 failed (2 known), "), show.out());
        }
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            JsonNode list = await("the known issues after a restart", () -> {
                LiveDashboardTest.Answer a = get(http, base + "/api/v1/known-issues");
                return a.status() == 200 && a.json().get("known_issues").size() == 2 ? Optional.of(a.json())
                        : Optional.empty();
            });
            assertEquals(List.of("csum", "oom"), list.get("known_issues").findValuesAsText("id"));
            assertEquals(List.of("config", "admin"), list.get("known_issues").findValuesAsText("source"));
            // 503 until the restarted coordinator has recovered from the journal
            assertEquals(200, await("the coordinator up again", () -> Optional.of(
                    delete(http, base + "/api/v1/admin/known-issues/oom")).filter(s -> s != 503)));
            assertEquals(404, delete(http, base + "/api/v1/admin/known-issues/oom"));
            assertEquals(409, delete(http, base + "/api/v1/admin/known-issues/csum"));
            assertEquals(List.of("fs.k.csum"), knownKeys(http, base, sha));

            // Hot reload: the config's issue now names the oom line instead, and masks oom alone.
            Files.writeString(config, Files.readString(config).replace("log = \"checksum error\"",
                    "log = \"Out of memory\""));
            assertEquals(200, post(http, base + "/api/v1/admin/reload", "", TOKEN).status());
            assertEquals(List.of("fs.k.oom"), await("the reloaded issue applied",
                    () -> Optional.of(knownKeys(http, base, sha)).filter(k -> !k.contains("fs.k.csum"))));
        }
    }

    private static List<String> knownKeys(HttpClient http, String base, String sha) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : get(http, base + "/api/v1/commits/" + sha).json().get("tests")) {
            if (t.get("known_issue").isObject()) {
                out.add(t.get("name").asText());
            }
        }
        return out;
    }

    private static int delete(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
