package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("ktest-ci.toml");
    }

    /** A coordinator layout in the temp dir: a git repo, an output parent, a ktest tree with tests. */
    private void layout(String... tests) throws IOException {
        Files.createDirectories(dir.resolve("repo/.git"));
        for (String t : tests) {
            Path p = dir.resolve("ktest/tests").resolve(t);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "#!/bin/bash\n");
        }
        Files.createDirectories(dir.resolve("ktest/tests"));
    }

    private CiConfig load(String toml, ConfigRole role) throws ConfigException {
        return ConfigLoader.parse(toml, file(), role);
    }

    private List<String> errors(String toml, ConfigRole role) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(toml, role));
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    private String err(int line, int col, String key, String message) {
        return file() + ":" + line + ":" + col + ": " + key + ": " + message;
    }

    static final String DEMO = """
            linux_repo = "repo"
            output_dir = "out"
            ktest_dir  = "ktest"
            state_dir  = "state"
            ci_host    = "127.0.0.1"

            [test_group.demo]
            tests = ["demo/smoke.ktest"]

            [branch.main]
            fetch       = "upstream main"
            test_groups = ["demo"]

            [cluster]
            insecure_plaintext = true

            [worker]
            runner = "host"
            slots  = 2
            """;

    @Test
    void loadsTheDemoConfigWithDefaultsAndResolvedPaths() throws Exception {
        layout("demo/smoke.ktest");
        CiConfig c = load(DEMO, ConfigRole.COORDINATOR_WITH_WORKER);
        assertEquals("ci", c.user());
        assertEquals(dir.resolve("repo"), c.linuxRepo());
        assertEquals(dir.resolve("out"), c.outputDir());
        assertEquals(dir.resolve("state"), c.stateDir());
        assertEquals(600, c.subtestDurationMax());
        assertEquals(30, c.subtestDurationDef());
        assertEquals(1200, c.subtestTimeout());
        assertEquals(2000, c.window());
        assertEquals(500, c.refillAt());
        assertEquals(60, c.leaseTimeout());
        assertEquals(60, c.fetchInterval());
        assertEquals(List.of("linux"), List.copyOf(c.repos().keySet()));
        assertEquals(dir.resolve("repo"), c.repos().get("linux").path());
        BranchConfig main = c.branches().get("main");
        assertEquals(dir.resolve("upstream").toString(), main.fetchUrl(), "relative fetch paths become absolute");
        assertEquals("main", main.fetchRef());
        assertEquals("linux", main.repo());
        TestGroupConfig demo = c.testGroups().get("demo");
        assertEquals(50, demo.maxCommits());
        assertEquals(0, demo.priority());
        assertEquals(List.of("demo/smoke.ktest"), demo.tests());
        assertEquals(WorkerConfig.Runner.HOST, c.worker().runner());
        assertEquals(2, c.worker().slots());
        assertEquals(dir.resolve("state/work"), c.worker().workspace());
        assertEquals(dir.resolve("ktest"), c.worker().ktestDir());
        assertEquals(List.of("pekko://ktest-ci@127.0.0.1:25520"), c.cluster().seedNodes());
        assertEquals("http://127.0.0.1:8080", c.ciUrl());
        assertTrue(c.ciUrlFromFile().isEmpty());
        assertEquals(64, c.contentDigest().length());
    }

    @Test
    void resolvesExtendsListsReplaceEnvOverlaysNiceIsPriority() throws Exception {
        layout("a.ktest", "b.ktest");
        CiConfig c = load("""
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                [cluster]
                insecure_plaintext = true
                [test_group.base]
                tests = ["a.ktest", "b.ktest"]
                kernels = ["upstream/stable-default"]
                env = { ktest_a = 1, ktest_b = "x" }
                arch = ["x86_64", "aarch64"]
                [test_group.child]
                extends = "base"
                kernels = ["upstream/stable-kasan", "/boot/vmlinuz"]
                env = { ktest_b = true }
                nice = 8
                max_commits = 3
                """, ConfigRole.COORDINATOR);
        TestGroupConfig child = c.testGroups().get("child");
        assertEquals(List.of("a.ktest", "b.ktest"), child.tests());
        assertEquals(List.of("upstream/stable-kasan", "/boot/vmlinuz"), child.kernels());
        assertEquals(Map.of("ktest_a", "1", "ktest_b", "true"), child.env());
        assertEquals(List.of(Arch.X86_64, Arch.AARCH64), child.arch());
        assertEquals(8, child.priority());
        assertEquals(3, child.maxCommits());
        assertEquals(50, c.testGroups().get("base").maxCommits());
    }

    @Test
    void reportsEveryErrorOfAFileAtOnceSortedByPosition() throws IOException {
        layout("x.ktest");
        List<String> errors = errors("""
                linux_repo = "repo"
                output_dir = "out"
                subtest_duration_max = 0
                ktest_dir = "ktest"
                executors = 3
                [test_group.debug]
                tests = ["x.ktest"]
                kernals = ["a"]
                [test_group.everyday]
                tests = ["x.ktest"]
                [branch.master]
                fetch = "https://example.org/x.git master"
                test_groups = ["everyday", "everyda"]
                [hosts.farm1]
                arch = "arm64"
                [cluster]
                insecure_plaintext = true
                """, ConfigRole.COORDINATOR);
        assertEquals(List.of(
                err(3, 1, "subtest_duration_max", "must be >= 1, got 0"),
                err(5, 1, "executors", "unknown key (use [hosts.<name>])"),
                err(8, 1, "test_group.debug.kernals", "unknown key (did you mean \"kernels\"?)"),
                err(13, 28, "branch.master.test_groups[1]", "unknown test_group \"everyda\" (did you mean \"everyday\"?)"),
                err(15, 1, "hosts.farm1.arch", "must be one of \"x86_64\", \"aarch64\", got \"arm64\"")), errors);
    }

    @Test
    void reportsMissingRequiredKeysAtTheTopOrAtTheirTable() {
        List<String> errors = errors("""
                [branch.master]
                test_groups = []
                """, ConfigRole.COORDINATOR);
        assertEquals(List.of(
                err(1, 1, "linux_repo", "required key missing"),
                err(1, 1, "output_dir", "required key missing"),
                err(1, 1, "ktest_dir", "required key missing"),
                err(1, 1, "branch.master.fetch", "required key missing"),
                err(1, 1, "cluster.tls_cert", "required key missing (or set cluster.insecure_plaintext = true for a local demo)"),
                err(1, 1, "cluster.tls_key", "required key missing (or set cluster.insecure_plaintext = true for a local demo)"),
                err(1, 1, "cluster.tls_ca", "required key missing (or set cluster.insecure_plaintext = true for a local demo)"),
                err(2, 1, "branch.master.test_groups", "must name at least one test_group")), errors);
    }

    @Test
    void reportsAnExtendsCycleOnceAtItsFirstGroup() {
        List<String> errors = errors("""
                [test_group.a]
                extends = "b"
                [test_group.b]
                extends = "a"
                [test_group.c]
                extends = "missng"
                [test_group.missing]
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of(
                err(2, 1, "test_group.a.extends", "extends cycle: a -> b -> a"),
                err(6, 1, "test_group.c.extends", "unknown test_group \"missng\" (did you mean \"missing\"?)")), errors);
    }

    @Test
    void neverCoercesTypesAndNamesTheTomlTypes() {
        List<String> errors = errors("""
                window = "2000"
                user = 7
                [test_group.g]
                tests = ["a.ktest", 3]
                env = { ktest_x = 1.5, other = "1", ktest_y = "a b" }
                [cluster]
                insecure_plaintext = "yes"
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of(
                err(1, 1, "window", "expected integer, got string"),
                err(2, 1, "user", "expected string, got integer"),
                err(4, 21, "test_group.g.tests[1]", "expected string, got integer"),
                err(5, 9, "test_group.g.env.ktest_x", "expected string, integer or boolean, got float"),
                err(5, 24, "test_group.g.env.other", "env keys must match ^ktest_[A-Za-z0-9_]+$"),
                err(5, 37, "test_group.g.env.ktest_y",
                        "env values may only contain letters, digits and \". _ + : -\", got \"a b\""),
                err(7, 1, "cluster.insecure_plaintext", "expected boolean, got string")), errors);
    }

    @Test
    void checksTestPathsKernelsArchesAndPriorityAlias() throws IOException {
        layout("ok.ktest");
        List<String> errors = errors("""
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                [cluster]
                insecure_plaintext = true
                [test_group.g]
                tests = ["ok.ktest", "ok.ktest", "../x.ktest", "/abs.ktest", "nope.sh", "gone.ktest"]
                kernels = ["upstream/ok", "bad kernel"]
                arch = ["x86_64", "x86_64"]
                priority = 1
                nice = 2
                max_commits = 501
                """, ConfigRole.COORDINATOR);
        assertEquals(List.of(
                err(7, 22, "test_group.g.tests[1]", "duplicate test \"ok.ktest\""),
                err(7, 34, "test_group.g.tests[2]", "must not contain a \"..\" segment, got \"../x.ktest\""),
                err(7, 48, "test_group.g.tests[3]", "must be relative to <ktest_dir>/tests, got \"/abs.ktest\""),
                err(7, 62, "test_group.g.tests[4]", "must end in .ktest, got \"nope.sh\""),
                err(7, 73, "test_group.g.tests[5]", "test file not found: " + dir.resolve("ktest/tests/gone.ktest")),
                err(8, 27, "test_group.g.kernels[1]",
                        "must be a kernel-store id or an absolute image path, got \"bad kernel\""),
                err(9, 19, "test_group.g.arch[1]", "duplicate arch \"x86_64\""),
                err(11, 1, "test_group.g.nice", "use either priority or nice, not both"),
                err(12, 1, "test_group.g.max_commits", "must be between 1 and 500, got 501")), errors);
    }

    @Test
    void reportsSyntaxErrorsWithTheSyntaxKeyPath() {
        List<String> errors = errors("a = \n", ConfigRole.CI_STATUS);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith(file() + ":1:5: (syntax): "), errors.get(0));
    }

    @Test
    void checksCrossKeyRules() {
        List<String> errors = errors("""
                window = 10
                refill_at = 10
                heartbeat_interval = 10
                lease_timeout = 20
                quarantine_backoff = 100
                quarantine_backoff_max = 50
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of(
                err(2, 1, "refill_at", "must be < window (10), got 10"),
                err(4, 1, "lease_timeout", "lease_timeout must be >= 3 x heartbeat_interval (30), got 20"),
                err(6, 1, "quarantine_backoff_max",
                        "quarantine_backoff_max must be >= quarantine_backoff (100), got 50")), errors);
    }

    @Test
    void quotesBranchNamesInKeyPathsAndChecksFetchAndRepo() {
        List<String> errors = errors("""
                [test_group.g]
                tests = ["a.ktest"]
                [branch."alice-wip"]
                fetch = "-upload-pack=evil main"
                test_groups = ["g"]
                [branch."x/../y"]
                fetch = "https://e.org/r.git main extra"
                repo = "linx"
                test_groups = ["g", "g"]
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of(
                err(4, 1, "branch.alice-wip.fetch", "URL and ref must not start with \"-\""),
                err(6, 1, "branch.\"x/../y\"", "branch name must be a valid git ref name (no \"..\", no leading \"-\" "
                        + "or \"/\", no trailing \"/\" or \".lock\")"),
                err(7, 1, "branch.\"x/../y\".fetch",
                        "must be exactly \"<remote-url> <ref>\", got \"https://e.org/r.git main extra\""),
                err(8, 1, "branch.\"x/../y\".repo", "unknown repo \"linx\" (did you mean \"linux\"?)"),
                err(9, 21, "branch.\"x/../y\".test_groups[1]", "duplicate test_group \"g\"")), errors);
    }

    @Test
    void aWorkerNeedsASeedAndAKtestTree() {
        List<String> errors = errors("""
                [cluster]
                insecure_plaintext = true
                [worker]
                slots = 300
                runner = "docker"
                """, ConfigRole.WORKER);
        assertEquals(List.of(
                err(1, 1, "ci_host", "required key missing (a worker needs ci_host or cluster.seed_nodes)"),
                err(3, 1, "worker.ktest_dir", "required key missing (set worker.ktest_dir or ktest_dir)"),
                err(4, 1, "worker.slots", "must be between 1 and 256, got 300"),
                err(5, 1, "worker.runner", "must be one of \"ktest\", \"host\", \"qemu\", got \"docker\"")), errors);
    }

    @Test
    void ciStatusNeedsNothingButStillValidatesEveryKey() throws Exception {
        CiConfig c = load("", ConfigRole.CI_STATUS);
        assertEquals("ci", c.user());
        assertTrue(c.branches().isEmpty());
        assertEquals(List.of(err(1, 1, "verbose", "unknown key")), errors("verbose = true", ConfigRole.CI_STATUS));
    }

    @Test
    void rejectsAWorldReadableOrShortAdminToken() throws IOException {
        layout();
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "x".repeat(40));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        String toml = """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                [cluster]
                insecure_plaintext = true
                [http]
                admin_token_file = "admin.token"
                """;
        assertEquals(List.of(err(7, 1, "http.admin_token_file", "must not be world-readable: " + token)),
                errors(toml, ConfigRole.COORDINATOR));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(token, "short\n");
        assertEquals(List.of(err(7, 1, "http.admin_token_file", "token must be at least 32 characters: " + token)),
                errors(toml, ConfigRole.COORDINATOR));
    }

    @Test
    void suggestsOnlyCloseNamesAndBreaksTiesAlphabetically() {
        assertEquals("kernels", DidYouMean.suggest("kernals", List.of("kernels", "tests")).orElseThrow());
        assertTrue(DidYouMean.suggest("ab", List.of("abc")).isEmpty(), "distance must be below half the length");
        assertEquals("bat", DidYouMean.suggest("cat", List.of("rat", "bat")).orElseThrow());
        assertEquals(1, DidYouMean.distance("kernles", "kernels"), "a transposition costs one");
    }
}
