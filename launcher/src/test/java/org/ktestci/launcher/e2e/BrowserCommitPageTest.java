package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.runningLease;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * The commit page of a real run in headless Chromium ({@code browser-tests/commit-page.mjs}, Playwright's
 * playwright-core): the failed test is listed, clicking it shows its log, the passes are a filter away and their
 * second page comes as one scrolls (120 extra passing subtests make two pages), everything works without scripts
 * too, and the verdict of a subtest that was still running when the page loaded appears without a reload.
 */
class BrowserCommitPageTest {
    private static final Path SCRIPTS = Path.of("..", "browser-tests").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    static final String TEST = """
            #!/usr/bin/env bash
            ctl="%s"
            run_one() {
                echo "========= TEST   $1"
                case $1 in
                    a) echo "========= PASSED a in 0s" ;;
                    f) echo "btree_node_read: checksum <mismatch> & more"; echo "========= FAILED f in 0s"; return 1 ;;
                    s) while [ ! -e "$ctl/release" ]; do sleep 0.1; done; echo "========= PASSED s in 0s" ;;
                    *) echo "========= PASSED $1 in 0s" ;;
                esac
            }
            case $1 in
                list-tests) echo "a f s $(seq -f 'z%%03g' 0 119 | tr '\\n' ' ')" ;;
                deps) echo "ktest_no_vm=1" ;;
                # s waits for the test's signal: whatever shares its batch runs first.
                run-tests) shift; n=0
                    for t in "$@"; do [ "$t" = s ] || run_one "$t" || n=$((n+1)); done
                    for t in "$@"; do [ "$t" != s ] || run_one "$t" || n=$((n+1)); done
                    exit $n ;;
            esac
            """;

    @Test
    void theCommitPageShowsAFailedTestsLogAndAVerdictThatArrivesLive(@TempDir Path dir) throws Exception {
        boolean have = Files.isExecutable(CHROMIUM) && Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))
                && onPath("node");
        if (!have && System.getenv("CI") != null) {
            fail("CI must install chromium, node and `npm ci --prefix browser-tests` (see .ci/run)");
        }
        Assumptions.assumeTrue(have, "no chromium / node / browser-tests/node_modules here");
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: <b>not bold</b>").get(0);
        fx.testFile("fs/page.ktest", TEST.formatted(ctl));
        Path config = fx.config("ktest-ci.toml", "fs/page.ktest", "subtest_timeout = 60", CiFixture.PLAINTEXT,
                "runner = \"host\"\nslots = 2\nmin_free_disk_gib = 0\n");
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            await("f failed", () -> statusOf(http, base, sha, "fs.page.f").filter("failed"::equals));
            await("s running", () -> runningLease(http, base, sha, "s"));
            await("the 120 z subtests passed", () -> passed(http, base, sha) == 121 ? Optional.of(true)
                    : Optional.empty());

            Process browser = new ProcessBuilder("node", SCRIPTS.resolve("commit-page.mjs").toString(),
                    base + "/ci?commit=" + sha, "fs.page.f", "checksum <mismatch> & more", "fs.page.s", "fs.page.a",
                    "fs.page.z119")
                    .directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readLines(browser, lines));
            try {
                await(() -> "the page subscribed to live updates; browser said:\n" + String.join("\n", lines),
                        () -> lines.contains("READY-FOR-LIVE") ? Optional.of(true) : Optional.empty());
                assertEquals(List.of("step: failed row shown", "step: log shown", "step: passes shown",
                        "step: next page added on scroll", "step: works without scripts", "READY-FOR-LIVE"), lines);
                assertTrue(statusOf(http, base, sha, "fs.page.s").filter("passed"::equals).isEmpty(),
                        "s must still be running when the page subscribed");
                Files.writeString(ctl.resolve("release"), "");
                assertTrue(browser.waitFor(120, TimeUnit.SECONDS), "the browser script did not finish");
                reader.get(10, TimeUnit.SECONDS);
                assertEquals(0, browser.exitValue(), String.join("\n", lines));
                assertEquals(List.of("step: failed row shown", "step: log shown", "step: passes shown",
                        "step: next page added on scroll", "step: works without scripts", "READY-FOR-LIVE",
                        "step: live verdict shown", "OK"), lines);
            } finally {
                browser.destroyForcibly();
            }
        }
    }

    /** How many of the commit's results passed, by ktest's JSON. */
    private static int passed(HttpClient http, String base, String sha) {
        LiveDashboardTest.Answer c = LiveDashboardTest.get(http, base + "/ci?commit=" + sha + "&format=json");
        int n = 0;
        if (c.status() == 200) {
            for (com.fasterxml.jackson.databind.JsonNode t : c.json().get("tests")) {
                n += t.get("status").asText().equals("Passed") ? 1 : 0;
            }
        }
        return n;
    }

    private static void readLines(Process p, List<String> into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                into.add(line);
            }
        } catch (IOException e) {
            into.add("(reading the browser's output failed: " + e + ")");
        }
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
