package org.ktestci.launcher.e2e;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.TestRepos;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * The live status page ({@code /ci?status}, static/status.js) in headless Chromium
 * ({@code browser-tests/status-page.mjs}): with the page open and never reloaded, a slot turns busy when a batch
 * starts, changes when the next batch takes it, and goes idle when the last one ends.
 */
class BrowserStatusPageTest {
    private static final Path SCRIPTS = Path.of("..", "browser-tests").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

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
        boolean have = Files.isExecutable(CHROMIUM) && Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))
                && onPath("node");
        if (!have && System.getenv("CI") != null) {
            fail("CI must install chromium, node and `npm ci --prefix browser-tests` (see .ci/run)");
        }
        Assumptions.assumeTrue(have, "no chromium / node / browser-tests/node_modules here");
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        CiFixture fx = new CiFixture(dir);
        String c1 = fx.repos(1, "bcachefs: status page").get(0);
        fx.testFile("fs/one.ktest", test(ctl, "one"));
        fx.testFile("fs/two.ktest", test(ctl, "two"));
        Path config = fx.config("ktest-ci.toml", "fs/one.ktest\", \"fs/two.ktest", "fetch_interval = 5",
                CiFixture.PLAINTEXT, "runner = \"host\"\nslots = 1\nmin_free_disk_gib = 0\n");
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(config,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            for (String key : List.of("fs.one.s", "fs.two.s")) {
                await(key + " of the first commit", () -> statusOf(http, base, c1, key).filter("passed"::equals));
            }
            String host = get(http, base + "/api/v1/workers").json().get("hosts").get(0).get("host").asText();
            Files.writeString(ctl.resolve("block"), "");

            Process browser = new ProcessBuilder("node", SCRIPTS.resolve("status-page.mjs").toString(),
                    base + "/ci?status", host).directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readLines(browser, lines));
            try {
                awaitLine(lines, "READY");
                try (Git upstream = Git.open(dir.resolve("upstream").toFile())) {
                    TestRepos.commit(upstream, "bcachefs: pushed while the page is open", 1_800_000_000L);
                }
                String first = awaitLine(lines, "BUSY ").substring("BUSY fs/".length()).replace(".ktest", "");
                Files.writeString(ctl.resolve("release-" + first), "");
                String second = awaitLine(lines, "CHANGED ").substring("CHANGED fs/".length()).replace(".ktest", "");
                assertNotEquals(first, second);
                Files.writeString(ctl.resolve("release-" + second), "");
                assertTrue(browser.waitFor(120, TimeUnit.SECONDS), "the browser script did not finish");
                reader.get(10, TimeUnit.SECONDS);
                assertEquals(0, browser.exitValue(), String.join("\n", lines));
                assertEquals(List.of("READY", "BUSY fs/" + first + ".ktest", "CHANGED fs/" + second + ".ktest", "IDLE",
                        "OK"), lines);
            } finally {
                browser.destroyForcibly();
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
