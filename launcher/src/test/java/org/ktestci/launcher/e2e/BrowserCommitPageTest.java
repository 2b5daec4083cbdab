package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
        BrowserScript.require();
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

            try (BrowserScript browser = BrowserScript.start("commit-page.mjs", base + "/ci?commit=" + sha,
                    "fs.page.f", "checksum <mismatch> & more", "fs.page.s", "fs.page.a", "fs.page.z119")) {
                List<String> lines = browser.lines;
                await(() -> "the page subscribed to live updates; browser said:\n" + String.join("\n", lines),
                        () -> lines.contains("READY-FOR-LIVE") ? Optional.of(true) : Optional.empty());
                assertEquals(List.of("step: failed row shown", "step: log shown", "step: passes shown",
                        "step: next page added on scroll", "step: works without scripts", "READY-FOR-LIVE"), lines);
                assertTrue(statusOf(http, base, sha, "fs.page.s").filter("passed"::equals).isEmpty(),
                        "s must still be running when the page subscribed");
                Files.writeString(ctl.resolve("release"), "");
                assertEquals(0, browser.awaitEnd(), browser.output());
                assertEquals(List.of("step: failed row shown", "step: log shown", "step: passes shown",
                        "step: next page added on scroll", "step: works without scripts", "READY-FOR-LIVE",
                        "step: live verdict shown", "OK"), lines);
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
}
