package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * Issue 14's pages in headless Chromium ({@code browser-tests/regression-pages.mjs}) over a real run of two
 * commits: the "known: id" badge with its link and the new/known split on the commit page, the compare
 * page listing a failure of both commits as still failing, and the branch page's feed link (issue 14 item 8).
 */
class BrowserRegressionPagesTest {
    @Test
    void theKnownBadgeAndTheComparePageRenderInABrowser(@TempDir Path dir) throws Exception {
        BrowserScript.require();
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(2, "bcachefs: pages");
        fx.testFile("fs/r.ktest", """
                #!/usr/bin/env bash
                run_one() {
                    echo "========= TEST   $1"
                    case $1 in
                        a) echo "========= PASSED a in 0s" ;;
                        k) echo "btree_node_read: checksum error"; echo "========= FAILED k in 0s" ;;
                        f) echo "========= FAILED f in 0s" ;;
                    esac
                }
                case $1 in
                    list-tests) echo "a k f" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do run_one "$t"; done ;;
                esac
                """);
        Path config = fx.config("ktest-ci.toml", "fs/r.ktest", """
                [known_issue.csum]
                test = '^fs\\.r\\.k$'
                log = "checksum error"
                url = "https://bugs.example.org/csum?x=1&y=2"
                """, CiFixture.PLAINTEXT, CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            for (String sha : shas) {
                await("the verdicts of " + sha, () -> statusOf(http, base, sha, "fs.r.f").filter("failed"::equals)
                        .flatMap(x -> statusOf(http, base, sha, "fs.r.k")));
            }
            String older = shas.get(0);
            String tip = shas.get(1);
            try (BrowserScript browser = BrowserScript.start("regression-pages.mjs", base + "/ci?commit=" + tip,
                    "fs.r.k", "csum", "https://bugs.example.org/csum?x=1&y=2",
                    base + "/ci?compare=" + older + "..." + tip, "fs.r.f", base + "/ci?branch=main")) {
                assertEquals(0, browser.awaitEnd(), browser.output());
                assertEquals(List.of("step: known badge shown", "step: compare shown", "step: feed linked", "OK"),
                        browser.lines);
            }
        }
    }
}
