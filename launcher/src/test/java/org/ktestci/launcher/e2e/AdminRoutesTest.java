package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;
import static org.ktestci.launcher.e2e.LiveDashboardTest.post;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * The admin routes {@code fetch}, {@code clear-failed-to-run} and {@code gc} over HTTP on a running coordinator
 * (api.md §5): each does what it says, which nothing else would have done in the test's time.
 */
class AdminRoutesTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef-admin";

    @TempDir
    Path dir;

    private static List<String> commits(HttpClient http, String base) {
        List<String> shas = new ArrayList<>();
        for (JsonNode c : get(http, base + "/api/v1/branches/main/commits").json().get("commits")) {
            shas.add(c.get("commit").asText());
        }
        return shas;
    }

    @Test
    void fetchClearFailedToRunAndGcDoTheirWork() throws Exception {
        CiFixture fx = new CiFixture(dir);
        String c1 = fx.repos(1, "bcachefs: admin").get(0);
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        // deps fails until ctl/deps-ok exists: with infra_retries = 0 the job ends Failed to run at once.
        fx.testFile("fs/a.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo x ;;
                    deps) [ -e "%s/deps-ok" ] || { echo "toolchain missing" >&2; exit 1; }; echo ktest_no_vm=1 ;;
                    run-tests) shift; for t; do echo "========= TEST   $t"; echo "========= PASSED $t in 0s"; done ;;
                esac
                """.formatted(ctl));
        fx.adminToken(TOKEN);
        // fetch_interval is an hour: only the admin fetch brings in a new commit during the test.
        Path cfg = fx.config("ktest-ci.toml", "fs/a.ktest", "fetch_interval = 3600\ninfra_retries = 0\ngc_grace = 60",
                CiFixture.PLAINTEXT, CiFixture.HOST_WORKER,
                "admin_token_file = \"admin.token\"");
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            String admin = base + "/api/v1/admin/";
            for (String route : List.of("fetch", "clear-failed-to-run", "gc")) {
                assertEquals(401, post(http, admin + route, "", null).status(), route + " without the token");
            }

            // clear-failed-to-run: the verdict goes, and the job runs again (now passing).
            assertEquals("failedToRun", await("Failed to run", () -> statusOf(http, base, c1, "fs.a.x")
                    .filter(s -> s.equals("failedToRun"))));
            Files.createFile(ctl.resolve("deps-ok"));
            LiveDashboardTest.Answer cleared = post(http, admin + "clear-failed-to-run", "", TOKEN);
            assertEquals(200, cleared.status(), cleared.body());
            assertEquals("{\"cleared\":1}", cleared.body());
            assertEquals("passed", await("the cleared job's new verdict", () -> statusOf(http, base, c1, "fs.a.x")
                    .filter(s -> s.equals("passed"))));
            assertEquals("{\"cleared\":0}", post(http, admin + "clear-failed-to-run", "", TOKEN).body());

            // fetch: a commit pushed upstream shows up only once the admin asks for a fetch.
            String c2;
            try (Git upstream = Git.open(dir.resolve("upstream").toFile())) {
                c2 = TestRepos.commit(upstream, "bcachefs: pushed", 1_800_000_000L);
            }
            Thread.sleep(1500); // would a fetch happen by itself? (it must not: fetch_interval is an hour)
            assertEquals(List.of(c1), commits(http, base));
            LiveDashboardTest.Answer fetch = post(http, admin + "fetch", "", TOKEN);
            assertEquals(202, fetch.status(), fetch.body());
            assertEquals("{\"queued\":true}", fetch.body());
            assertEquals(List.of(c2, c1), await("the fetched commit", () -> Optional.of(commits(http, base))
                    .filter(c -> c.size() == 2)));

            // gc: results of a commit on no branch, older than gc_grace, are listed (dry run), then removed.
            String orphan = "fedcba9876543210fedcba9876543210fedcba98";
            Path orphanDir = Files.createDirectories(dir.resolve("out").resolve(orphan).resolve("fs.a.x"));
            Files.writeString(orphanDir.resolve("status"), "========= PASSED x in 0s\n");
            FileTime old = FileTime.fromMillis(System.currentTimeMillis() - Duration.ofHours(2).toMillis());
            Files.setLastModifiedTime(orphanDir.getParent(), old);
            LiveDashboardTest.Answer dry = post(http, admin + "gc?dry_run=true", "", TOKEN);
            assertEquals(200, dry.status(), dry.body());
            assertTrue(dry.json().get("removed").toString().contains("\"" + orphan + "\""), dry.body());
            assertTrue(Files.isDirectory(orphanDir), "a dry run removes nothing");
            LiveDashboardTest.Answer gc = post(http, admin + "gc", "", TOKEN);
            assertEquals(200, gc.status(), gc.body());
            assertTrue(gc.json().get("removed").toString().contains("\"" + orphan + "\""), gc.body());
            assertFalse(Files.exists(orphanDir.getParent()), "gc removed the orphan's results");
            assertTrue(Files.exists(dir.resolve("out").resolve(c1 + ".capnp")), "a tracked commit's results stay");
        }
    }
}
