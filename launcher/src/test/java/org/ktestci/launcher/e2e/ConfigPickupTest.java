package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.post;
import static org.ktestci.launcher.e2e.LiveDashboardTest.statusOf;

/**
 * config.md §1: the coordinator picks up an edited config file by itself at the next fetch cycle. No admin token is
 * configured, so no reload can be asked for: a new test group on the branch runs all the same.
 */
class ConfigPickupTest {
    @TempDir
    Path dir;

    private static String test(String subtest) {
        return """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo %1$s ;;
                    deps) echo ktest_no_vm=1 ;;
                    run-tests) echo "========= TEST   %1$s"; echo "========= PASSED %1$s in 0s" ;;
                esac
                """.formatted(subtest);
    }

    @Test
    void anEditedConfigFileAddsAGroupThatRunsWithoutAnAdminCall() throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: pickup").get(0);
        fx.testFile("fs/first.ktest", test("a"));
        fx.testFile("fs/second.ktest", test("b"));
        Path cfg = fx.config("ktest-ci.toml", "fs/first.ktest", "fetch_interval = 5", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            assertEquals("passed", await("the first group's verdict", () -> statusOf(http, base, sha, "fs.first.a")
                    .filter(s -> s.equals("passed"))));
            assertEquals(403, post(http, base + "/api/v1/admin/reload", "", "x").status(), "no admin API here");

            String edited = Files.readString(cfg).replace("test_groups = [\"g\"]", "test_groups = [\"g\", \"h\"]")
                    + "\n[test_group.h]\ntests = [\"fs/second.ktest\"]\n";
            Files.writeString(cfg.resolveSibling("ktest-ci.toml.new"), edited);
            Files.move(cfg.resolveSibling("ktest-ci.toml.new"), cfg, StandardCopyOption.ATOMIC_MOVE);

            assertEquals("passed", await("the new group's verdict, within a fetch cycle or two",
                    () -> statusOf(http, base, sha, "fs.second.b").filter(s -> s.equals("passed"))));
        }
    }
}
