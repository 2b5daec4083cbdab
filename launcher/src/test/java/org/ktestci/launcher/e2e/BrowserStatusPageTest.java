package org.ktestci.launcher.e2e;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * The live status page ({@code /ci?status}, static/status.js) in headless Chromium
 * ({@code browser-tests/status-page.mjs}): with the page open and never reloaded, a slot turns busy when a batch
 * starts, changes when the next batch takes it, and goes idle when the last one ends.
 */
class BrowserStatusPageTest {
    /** Runs at once, unless ctl/block exists: then it waits for ctl/release-{name}. */
    private static String test(Path ctl, String name) {
        return """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo s ;;
                    deps) echo ktest_no_vm=1 ;;
                    run-tests) echo "========= TEST   s"
                        while [ -e "%1$s/block" ] && [ ! -e "%1$s/release-%2$s" ]; do sleep 0.1; done
                        echo "========= PASSED s in 0s" ;;
                esac
                """.formatted(ctl, name);
    }

    @Test
    void slotsTurnBusyChangeAndGoIdleWithoutAReload(@TempDir Path dir) throws Exception {
        BrowserScript.require();
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        CiFixture fx = new CiFixture(dir);
        String c1 = fx.repos(1, "bcachefs: status page").get(0);
        fx.testFile("fs/one.ktest", test(ctl, "one"));
        fx.testFile("fs/two.ktest", test(ctl, "two"));
        Path config = fx.config("ktest-ci.toml", "fs/one.ktest\", \"fs/two.ktest", "fetch_interval = 5",
                CiFixture.PLAINTEXT, CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            for (String key : List.of("fs.one.s", "fs.two.s")) {
                await(key + " of the first commit", () -> statusOf(http, base, c1, key).filter("passed"::equals));
            }
            String host = get(http, base + "/api/v1/workers").json().get("hosts").get(0).get("host").asText();
            Files.writeString(ctl.resolve("block"), "");

            try (BrowserScript browser = BrowserScript.start("status-page.mjs", base + "/ci?status", host)) {
                List<String> lines = browser.lines;
                awaitLine(lines, "READY");
                try (Git upstream = Git.open(dir.resolve("upstream").toFile())) {
                    TestRepos.commit(upstream, "bcachefs: pushed while the page is open", 1_800_000_000L);
                }
                String first = awaitLine(lines, "BUSY ").substring("BUSY fs/".length()).replace(".ktest", "");
                Files.writeString(ctl.resolve("release-" + first), "");
                String second = awaitLine(lines, "CHANGED ").substring("CHANGED fs/".length()).replace(".ktest", "");
                assertNotEquals(first, second);
                Files.writeString(ctl.resolve("release-" + second), "");
                assertEquals(0, browser.awaitEnd(), browser.output());
                assertEquals(List.of("READY", "BUSY fs/" + first + ".ktest", "CHANGED fs/" + second + ".ktest", "IDLE",
                        "OK"), lines);
            }
        }
    }

    private static String awaitLine(List<String> lines, String prefix) throws InterruptedException {
        return await(() -> "a line starting with '" + prefix + "'; the browser said:\n" + String.join("\n", lines),
                () -> lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                        .or(() -> lines.stream().anyMatch(l -> l.contains("Error")) ? Optional.of("FAILED: "
                                + String.join("\n", lines)) : Optional.empty()))
                .transform(l -> {
                    if (l.startsWith("FAILED: ")) {
                        throw new AssertionError(l);
                    }
                    return l;
                });
    }
}
