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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;

/**
 * README decision 12: a standby coordinator node fetches into its own repos, so its dashboard shows the branches as
 * they are, though only the singleton (on the other node) schedules. Two coordinator nodes of one cluster in this
 * JVM, each with its own linux_repo; no failover happens, so each node's own H2 journal will do.
 */
class StandbyFetchTest {
    @TempDir
    Path dir;

    private Path config(String name, int clusterPort, int seedPort, int httpPort) throws Exception {
        Git.init().setDirectory(dir.resolve("repo-" + name).toFile()).call().close();
        Path cfg = dir.resolve(name + ".toml");
        Files.writeString(cfg, """
                linux_repo = "repo-%s"
                output_dir = "out-%s"
                ktest_dir = "ktest"
                state_dir = "state-%s"
                ci_host = "127.0.0.1"
                fetch_interval = 5
                [test_group.g]
                tests = ["t.ktest"]
                [branch.main]
                fetch = "upstream main"
                test_groups = ["g"]
                [cluster]
                insecure_plaintext = true
                seed_nodes = ["pekko://ktest-ci@127.0.0.1:%d"]
                bind_host = "127.0.0.1"
                advertise_host = "127.0.0.1"
                port = %d
                [http]
                bind = "127.0.0.1:%d"
                """.formatted(name, name, name, seedPort, clusterPort, httpPort));
        return cfg;
    }

    /** The commits {@code /api/v1/branches/main/commits} lists on a node, newest first. */
    private static List<String> commits(HttpClient http, int port) {
        LiveDashboardTest.Answer a = get(http, "http://127.0.0.1:" + port + "/api/v1/branches/main/commits");
        List<String> shas = new ArrayList<>();
        if (a.status() == 200) {
            for (JsonNode c : a.json().get("commits")) {
                shas.add(c.get("commit").asText());
            }
        }
        return shas;
    }

    @Test
    void theStandbysDashboardFollowsTheBranchWithoutTheSingleton() throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = TestRepos.commits(dir.resolve("upstream"), 2, "bcachefs: standby");
        fx.testFile("t.ktest", "#!/usr/bin/env bash\ncase \"$1\" in list-tests) echo a ;; run) sleep 3600 ;; esac\n");
        int p1 = NodeProcess.freePort();
        int p2 = NodeProcess.freePort();
        int http1 = NodeProcess.freePort();
        int http2 = NodeProcess.freePort();
        Path c1 = config("c1", p1, p1, http1);
        Path c2 = config("c2", p2, p1, http2);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode active = CoordinatorNode.start(ConfigLoader.load(c1, ConfigRole.COORDINATOR), false)) {
            await("the active node's walk", () -> Optional.of(commits(http, http1)).filter(c -> c.size() == 2));
            try (CoordinatorNode standby = CoordinatorNode.start(ConfigLoader.load(c2, ConfigRole.COORDINATOR),
                    false)) {
                assertEquals(List.of(shas.get(1), shas.get(0)), await("the standby's walk of its own repo",
                        () -> Optional.of(commits(http, http2)).filter(c -> c.size() == 2)));

                String pushed;
                try (Git upstream = Git.open(dir.resolve("upstream").toFile())) {
                    pushed = TestRepos.commit(upstream, "bcachefs: pushed later", 1_800_000_000L);
                }
                assertEquals(pushed, await("the pushed commit on the standby's dashboard",
                        () -> Optional.of(commits(http, http2)).filter(c -> c.size() == 3)).get(0));
                try (Git own = Git.open(dir.resolve("repo-c2").toFile())) {
                    assertEquals(pushed, own.getRepository().exactRef("refs/heads/ci/main").getObjectId().getName(),
                            "fetched into the standby's own repo");
                }
                // Only the singleton schedules: it runs on the first node.
                assertEquals(200, get(http, "http://127.0.0.1:" + http1 + "/api/v1/queue").status());
            }
        }
    }
}
