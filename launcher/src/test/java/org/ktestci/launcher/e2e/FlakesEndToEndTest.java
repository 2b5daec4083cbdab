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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;

/**
 * Issue 14 item 4 on a real run over two commits: {@code flaky} fails deterministically on its first run at each
 * commit and passes on the next, {@code solid} always fails, {@code p} passes. Every new failure is re-run as an
 * observation: {@code flaky} is marked flaky at both commits (its first verdict stays Failed, with its own log;
 * the re-run's log is kept beside it), {@code solid} at the oldest commit is re-run exactly {@code flake_retries}
 * times and stays a real failure, and nothing that passed is re-run. The branch's flaky view, its API and badge,
 * the commit page and {@code ci-status show} carry it.
 */
class FlakesEndToEndTest {
    @Test
    void aFailureThatPassesOnItsRerunIsFlakyAndTheFirstVerdictStands(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(2, "bcachefs: flakes");
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        fx.testFile("fs/fl.ktest", """
                #!/usr/bin/env bash
                ctl="%s"
                src="$(dirname "$(ls -d "$ktest_deps_dir"/*/.git | head -1)")"
                sha="$(git -C "$src" rev-parse HEAD)"
                run_one() {
                    echo "========= TEST   $1"
                    case $1 in
                        flaky)
                            if [ -e "$ctl/$sha.flaky" ]; then
                                echo "second run passes"; echo "========= PASSED flaky in 0s"
                            else
                                touch "$ctl/$sha.flaky"; echo "first run fails"; echo "========= FAILED flaky in 0s"
                            fi ;;
                        solid) echo "========= FAILED solid in 0s" ;;
                        p) echo "========= PASSED p in 0s" ;;
                    esac
                }
                case $1 in
                    list-tests) echo "flaky solid p" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do run_one "$t"; done ;;
                esac
                """.formatted(ctl));
        Path config = fx.config("ktest-ci.toml", "fs/fl.ktest", "flake_retries = 2\nflake_window = 10",
                CiFixture.PLAINTEXT, CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            String older = shas.get(0);
            String tip = shas.get(1);
            for (String sha : shas) {
                JsonNode flaky = await("flaky marked at " + sha, () -> test(http, base, sha, "fs.fl.flaky")
                        .filter(t -> t.get("flaky").asBoolean()));
                assertEquals("failed", flaky.get("status").asText(), "the first verdict stands");
                assertEquals(1, flaky.get("reruns").size(), "the first passing re-run ends the re-runs: " + flaky);
                assertEquals("passed", flaky.get("reruns").get(0).get("status").asText());
                assertEquals("vm", flaky.get("reruns").get(0).get("host").asText(), "the only host up");
                assertTrue(log(dir, sha, "log.br").contains("first run fails"), "the verdict's log is kept");
                assertTrue(log(dir, sha, "rerun-1.log.br").contains("second run passes"));
                assertEquals(200, get(http, base + flaky.get("reruns").get(0).get("log_url").asText()).status());
            }
            JsonNode solid = await("solid re-run twice at the oldest commit", () -> test(http, base, older,
                    "fs.fl.solid").filter(t -> t.get("reruns").size() == 2));
            assertFalse(solid.get("flaky").asBoolean(), "a failure every re-run confirms is real");
            assertEquals(List.of("failed", "failed"), solid.get("reruns").findValuesAsText("status"));
            for (String sha : shas) {
                assertEquals(0, test(http, base, sha, "fs.fl.p").orElseThrow().get("reruns").size());
            }
            JsonNode counts = get(http, base + "/api/v1/commits/" + tip).json().get("counts");
            assertEquals(2, counts.get("failed").asInt());
            assertEquals(1, counts.get("failed_flaky").asInt());

            JsonNode flakes = get(http, base + "/api/v1/branches/main/flaky").json();
            assertEquals(10, flakes.get("window").asInt());
            assertEquals(2, flakes.get("commits").asInt());
            assertEquals(1, flakes.get("tests").size(), flakes.toString());
            JsonNode t = flakes.get("tests").get(0);
            assertEquals("fs.fl.flaky", t.get("name").asText());
            assertEquals(List.of(2, 2, 2), List.of(t.get("tested").asInt(), t.get("failed").asInt(),
                    t.get("flaky").asInt()));
            assertEquals(1.0, t.get("rate").asDouble());
            assertEquals(List.of(tip, older), List.of(t.get("flaky_commits").get(0).asText(),
                    t.get("flaky_commits").get(1).asText()), "newest first");

            String page = get(http, base + "/ci?commit=" + tip).body();
            String row = page.substring(page.indexOf("data-key=\"fs.fl.flaky\""));
            row = row.substring(0, row.indexOf("</tr>"));
            assertTrue(row.contains("class=\"badge badge-flaky\"") && row.contains("1 of 1 re-run passed"), row);
            assertFalse(row.contains(">new<"), "a flaky failure is not a new failure: " + row);
            assertTrue(get(http, base + "/ci?branch=main").body().contains(">1 flaky test</a>"));
            String view = get(http, base + "/ci?flaky=main").body();
            assertTrue(view.contains("<tr data-key=\"fs.fl.flaky\"><td>fs.fl.flaky</td><td class=\"rate\">100%</td>"),
                    view);

            LiveDashboardTest.Cli show = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "show", tip);
            assertTrue(show.out().contains("    flaky: 1 of 1 re-run passed\n"), show.out());
        }
    }

    static Optional<JsonNode> test(HttpClient http, String base, String sha, String key) {
        LiveDashboardTest.Answer c = get(http, base + "/api/v1/commits/" + sha);
        if (c.status() != 200) {
            return Optional.empty();
        }
        for (JsonNode t : c.json().get("tests")) {
            if (t.get("name").asText().equals(key) && !t.get("status").asText().equals("inprogress")) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static String log(Path dir, String sha, String name) throws Exception {
        return new String(Brotli.decompress(Files.readAllBytes(dir.resolve("out").resolve(sha).resolve("fs.fl.flaky")
                .resolve(name))), StandardCharsets.UTF_8);
    }
}
