package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * Issue 14 item 2 on a real run: how a verdict's run can be reproduced is in {@code /api/v1}, on the test's page
 * and printed by {@code ci-status repro}, all the same script.
 */
class ReproduceTest {
    @Test
    void aVerdictsRunIsShownAsAScriptEverywhere(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: repro").get(0);
        fx.testFile("fs/r.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "a" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) echo "========= TEST   a"; echo "========= FAILED a in 0s"; exit 1 ;;
                esac
                """);
        Path config = fx.config("ktest-ci.toml", "fs/r.ktest", "", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            await("a failed", () -> statusOf(http, base, sha, "fs.r.a").filter("failed"::equals));
            JsonNode repro = get(http, base + "/api/v1/commits/" + sha).json().get("tests").get(0).get("repro");
            assertEquals("host", repro.get("runner").asText());
            assertEquals(dir.resolve("ktest/tests/fs/r.ktest").toString(), repro.get("command").get(0).asText());
            assertEquals("1", repro.get("env").get("KTEST_SUPERVISOR").asText());
            assertTrue(repro.get("root_image").isNull(), "the host runner boots no root image");
            String shell = repro.get("shell").asText();
            assertTrue(shell.startsWith("# reproduce fs.r.a at " + sha + "\n# runner: host"), shell);
            assertTrue(shell.contains("git -C \"$LINUX\" checkout --detach " + sha), shell);
            assertTrue(shell.contains("\"$KTEST\"/tests/fs/r.ktest run-tests a\n"), shell);

            String page = await("the test page", () -> Optional.of(get(http, base + "/ci?branch=main&test="
                    + URLEncoder.encode("^fs\\.r\\.a$", StandardCharsets.UTF_8)).body()));
            assertTrue(page.contains("<details class=\"repro\"><summary>reproduce</summary><pre># reproduce fs.r.a at "
                    + sha), page);

            LiveDashboardTest.Cli cli = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "repro", sha.substring(0, 10), "r.a");
            assertEquals(0, cli.code(), cli.err());
            assertEquals(shell, cli.out());
            // Local mode: results from output_dir, the run details from the server the config names.
            Path withUrl = dir.resolve("with-url.toml");
            Files.writeString(withUrl, "ci_url = \"" + base + "\"\n" + Files.readString(config));
            LiveDashboardTest.Cli local = ciStatus("--config", withUrl.toString(), "repro", sha, "fs.r.a");
            assertEquals(0, local.code(), local.err());
            assertEquals(shell, local.out());
        }
    }
}
