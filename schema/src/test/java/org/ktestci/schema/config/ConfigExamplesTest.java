package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples of config.md §7 load as written. */
class ConfigExamplesTest extends ConfigFixtureTest {
    static final String DEMO = """
            linux_repo = "repo"                # relative to this file
            output_dir = "out"
            ktest_dir  = "ktest"
            state_dir  = "state"
            ci_host    = "127.0.0.1"

            [test_group.demo]
            tests = ["demo/smoke.ktest"]

            [branch.main]
            fetch       = "upstream main"      # bare repo with 3 commits made by demo-init
            test_groups = ["demo"]

            [cluster]
            insecure_plaintext = true

            [worker]
            runner = "host"
            slots  = 2
            """;

    static final String PRODUCTION = """
            linux_repo = "/srv/ci/src/linux"
            output_dir = "/srv/ci/ci-data"
            ktest_dir  = "/srv/ci/ktest"
            ci_host    = "ci.example.net"
            ci_url     = "https://ci.example.net"
            subtest_duration_max = 900
            keep_results_commits = 300

            [repos.bcachefs-tools]
            path = "/srv/ci/src/bcachefs-tools"
            url  = "https://evilpiepirate.org/git/bcachefs-tools.git"

            [test_group.everyday]
            max_commits = 40
            tests   = ["fs/bcachefs/single_device.ktest", "fs/bcachefs/replication.ktest", "fs/bcachefs/fstests.ktest"]
            kernels = ["upstream/stable-default"]
            arch    = ["x86_64", "aarch64"]            # two arches: arch is part of the result key

            [test_group.debug]
            extends     = "everyday"
            max_commits = 3
            priority    = 8
            kernels     = ["upstream/stable-lockdep", "upstream/stable-kasan"]
            arch        = ["aarch64"]                  # one arch: a constraint only

            [test_group.restarts]
            extends     = "everyday"
            max_commits = 3
            nice        = 8                            # alias of priority
            env         = { ktest_bcachefs_inject_transaction_restarts = "1" }

            [branch.master]
            fetch       = "https://evilpiepirate.org/git/bcachefs-tools.git master"
            repo        = "bcachefs-tools"
            test_groups = ["everyday", "debug", "restarts"]

            [hosts.farm1]
            slots = 20
            arch  = "aarch64"

            [cluster]
            tls_cert = "/etc/ktest-ci/tls/node.crt"
            tls_key  = "/etc/ktest-ci/tls/node.key"
            tls_ca   = "/etc/ktest-ci/tls/ca.crt"

            [http]
            bind             = "127.0.0.1:8080"        # behind a TLS reverse proxy
            admin_token_file = "/etc/ktest-ci/admin.token"
            """;

    static final List<String> PRODUCTION_TESTS = List.of("fs/bcachefs/single_device.ktest",
            "fs/bcachefs/replication.ktest", "fs/bcachefs/fstests.ktest");

    @Test
    void loadsTheDemoConfigForTheCoordinatorWithItsWorker() throws Exception {
        f.coordinatorLayout("demo/smoke.ktest");
        ConfigFixture.gitRepo(dir.resolve("upstream"), true);
        CiConfig c = f.write(DEMO, ConfigRole.COORDINATOR_WITH_WORKER);

        assertEquals(f.file(), c.file());
        assertEquals(dir.resolve("repo"), c.linuxRepo());
        assertEquals(dir.resolve("out"), c.outputDir());
        assertEquals(dir.resolve("ktest"), c.ktestDir());
        assertEquals(dir.resolve("state"), c.stateDir());
        assertEquals("127.0.0.1", c.ciHost());
        assertEquals("http://127.0.0.1:8080", c.ciUrl(), "default ci_url: http://<ci_host>:<port><base_path>");
        assertEquals(Optional.empty(), c.ciUrlFromFile());
        assertEquals(Map.of("linux", new RepoConfig("linux", dir.resolve("repo"), "")), c.repos());
        assertEquals(new TestGroupConfig("demo", List.of("demo/smoke.ktest"), 50, 0, List.of(), new TreeMap<>(),
                List.of()), c.testGroups().get("demo"));
        assertEquals(new BranchConfig("main", dir.resolve("upstream").toString(), "main", "linux", List.of("demo")),
                c.branches().get("main"));
        assertTrue(c.cluster().insecurePlaintext());
        assertEquals(List.of("pekko://ktest-ci@127.0.0.1:25520"), c.cluster().seedNodes());
        assertFalse(c.cluster().seedNodesSet());
        assertEquals(WorkerConfig.Runner.HOST, c.worker().runner());
        assertEquals(2, c.worker().slots());
        assertEquals(dir.resolve("state/work"), c.worker().workspace());
        assertEquals(dir.resolve("ktest"), c.worker().ktestDir(), "worker.ktest_dir defaults to ktest_dir");
        assertEquals(dir.resolve("state/journal"), c.persistence().h2File());
    }

    @Test
    void theDemoConfigAlsoSuitsAWorkerAndCiStatusWithoutAnyFiles() throws Exception {
        assertEquals("127.0.0.1", f.parse(DEMO, ConfigRole.WORKER).ciHost());
        assertEquals(dir.resolve("out"), f.parse(DEMO, ConfigRole.CI_STATUS).outputDir());
    }

    @Test
    void loadsTheProductionExampleAsCiStatusWithoutTouchingTheFileSystem() throws Exception {
        CiConfig c = f.parse(PRODUCTION, ConfigRole.CI_STATUS);
        assertEquals(Optional.of("https://ci.example.net"), c.ciUrlFromFile());
        assertEquals("https://ci.example.net", c.ciUrl());
        assertEquals(Path.of("/srv/ci/ci-data"), c.outputDir());
        assertEquals(Optional.of(Path.of("/etc/ktest-ci/admin.token")), c.http().adminTokenFile());
    }

    @Test
    void loadsTheProductionExampleForTheCoordinator() throws Exception {
        Path srv = dir.resolve("srv/ci");
        Path etc = dir.resolve("etc/ktest-ci");
        ConfigFixture.gitRepo(srv.resolve("src/linux"), false);
        ConfigFixture.gitRepo(srv.resolve("src/bcachefs-tools"), true);
        for (String t : PRODUCTION_TESTS) {
            Files.createDirectories(srv.resolve("ktest/tests").resolve(t).getParent());
            Files.writeString(srv.resolve("ktest/tests").resolve(t), "#!/bin/bash\n");
        }
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("admin.token"), "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(etc.resolve("admin.token"), PosixFilePermissions.fromString("rw-------"));
        String toml = PRODUCTION.replace("/srv/ci", srv.toString()).replace("/etc/ktest-ci", etc.toString());

        CiConfig c = f.parse(toml, ConfigRole.COORDINATOR);

        assertEquals(900, c.subtestDurationMax());
        assertEquals(300, c.keepResultsCommits());
        assertEquals(List.of("linux", "bcachefs-tools"), List.copyOf(c.repos().keySet()));
        assertEquals(new RepoConfig("bcachefs-tools", srv.resolve("src/bcachefs-tools"),
                "https://evilpiepirate.org/git/bcachefs-tools.git"), c.repo("bcachefs-tools"));
        assertEquals(List.of("everyday", "debug", "restarts"), List.copyOf(c.testGroups().keySet()));
        TestGroupConfig everyday = c.testGroups().get("everyday");
        assertEquals(PRODUCTION_TESTS, everyday.tests());
        assertEquals(40, everyday.maxCommits());
        assertEquals(List.of(Arch.X86_64, Arch.AARCH64), everyday.arch());
        TestGroupConfig debug = c.testGroups().get("debug");
        assertEquals(PRODUCTION_TESTS, debug.tests(), "inherited from everyday");
        assertEquals(List.of("upstream/stable-lockdep", "upstream/stable-kasan"), debug.kernels());
        assertEquals(List.of(Arch.AARCH64), debug.arch());
        assertEquals(8, debug.priority());
        assertEquals(3, debug.maxCommits());
        TestGroupConfig restarts = c.testGroups().get("restarts");
        assertEquals(8, restarts.priority(), "nice is an alias of priority");
        assertEquals(List.of("upstream/stable-default"), restarts.kernels());
        assertEquals(Map.of("ktest_bcachefs_inject_transaction_restarts", "1"), restarts.env());
        assertEquals(new BranchConfig("master", "https://evilpiepirate.org/git/bcachefs-tools.git", "master",
                "bcachefs-tools", List.of("everyday", "debug", "restarts")), c.branches().get("master"));
        assertEquals(new HostConfig("farm1", Optional.of(20), Optional.of(Arch.AARCH64)), c.hosts().get("farm1"));
        assertEquals(Optional.of(etc.resolve("tls/node.crt")), c.cluster().tlsCert());
        assertEquals(Optional.of(etc.resolve("tls/node.key")), c.cluster().tlsKey());
        assertEquals(Optional.of(etc.resolve("tls/ca.crt")), c.cluster().tlsCa());
        assertFalse(c.cluster().insecurePlaintext());
        assertEquals(List.of("pekko://ktest-ci@ci.example.net:25520"), c.cluster().seedNodes());
        assertEquals(new HttpConfig("127.0.0.1", 8080, "", Optional.of(etc.resolve("admin.token"))), c.http());
    }

    @Test
    void theWorkerOfTheProductionExampleLoads() throws Exception {
        CiConfig c = f.parse("""
                ci_host = "ci.example.net"
                [cluster]
                tls_cert = "/etc/ktest-ci/tls/node.crt"
                tls_key  = "/etc/ktest-ci/tls/node.key"
                tls_ca   = "/etc/ktest-ci/tls/ca.crt"
                [worker]
                host      = "farm1"
                slots     = 20
                ktest_dir = "/var/lib/ktest-ci/ktest"
                """, ConfigRole.WORKER);
        assertEquals("farm1", c.worker().host());
        assertEquals(20, c.worker().slots());
        assertEquals(Path.of("/var/lib/ktest-ci/ktest"), c.worker().ktestDir());
        assertEquals(Path.of("/var/lib/ktest-ci/ktest"), c.ktestDir());
    }

    @Test
    void digestIsTheSha256OfTheFileAndChangesWithAnEdit() throws Exception {
        CiConfig first = f.write(DEMO, ConfigRole.CI_STATUS);
        byte[] bytes = Files.readAllBytes(f.file());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                first.contentDigest());
        assertEquals(first.contentDigest(), f.write(DEMO, ConfigRole.CI_STATUS).contentDigest());
        CiConfig edited = f.write(DEMO.replace("slots  = 2", "slots  = 3"), ConfigRole.CI_STATUS);
        assertNotEquals(first.contentDigest(), edited.contentDigest());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(DEMO.getBytes(StandardCharsets.UTF_8))), f.parse(DEMO, ConfigRole.CI_STATUS).contentDigest());
    }

    @Test
    void aMissingFileIsOneError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.toml"), ConfigRole.CI_STATUS));
        assertEquals(List.of(dir.resolve("nope.toml") + ":1:1: (file): file not found"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void theDefaultPathIsEtcKtestCiToml() {
        assertEquals(Path.of("/etc/ktest-ci.toml"), ConfigFiles.defaultPath());
    }
}
