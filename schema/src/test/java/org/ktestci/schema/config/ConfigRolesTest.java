package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;
import static org.ktestci.schema.config.ConfigRole.COORDINATOR;
import static org.ktestci.schema.config.ConfigRole.COORDINATOR_WITH_WORKER;
import static org.ktestci.schema.config.ConfigRole.WORKER;

/** Each program requires only what it uses (config.md §1) and checks the files it will use. */
class ConfigRolesTest extends ConfigFixtureTest {
    private static final String TLS_MISSING =
            "required key missing (or set cluster.insecure_plaintext = true for a local demo)";

    @Test
    void theCoordinatorNeedsItsThreePathsAndTlsAtTheTopOfTheFile() {
        assertEquals(List.of(
                f.err(1, 1, "linux_repo", "required key missing"),
                f.err(1, 1, "output_dir", "required key missing"),
                f.err(1, 1, "ktest_dir", "required key missing"),
                f.err(1, 1, "cluster.tls_cert", TLS_MISSING),
                f.err(1, 1, "cluster.tls_key", TLS_MISSING),
                f.err(1, 1, "cluster.tls_ca", TLS_MISSING)), f.errors("", COORDINATOR));
    }

    @Test
    void missingTlsKeysPointAtTheClusterHeader() {
        assertEquals(List.of(
                f.err(3, 1, "cluster.tls_key", TLS_MISSING),
                f.err(3, 1, "cluster.tls_ca", TLS_MISSING)),
                f.errors("ci_host = \"c\"\nktest_dir = \"/k\"\n[cluster]\ntls_cert = \"c.pem\"\n", WORKER));
    }

    @Test
    void theCoordinatorChecksItsRepoOutputDirAndKtestTree() throws Exception {
        Files.createDirectories(dir.resolve("notrepo/.git"));
        Files.createDirectories(dir.resolve("ktest"));
        assertEquals(List.of(
                f.err(1, 1, "linux_repo", "not a git repository: " + dir.resolve("notrepo")),
                f.err(2, 1, "output_dir", "neither it nor its parent directory exists: " + dir.resolve("a/b")),
                f.err(3, 1, "ktest_dir", "has no tests/ directory: " + dir.resolve("ktest"))),
                f.errors("""
                        linux_repo = "notrepo"
                        output_dir = "a/b"
                        ktest_dir = "ktest"
                        [cluster]
                        insecure_plaintext = true
                        """, COORDINATOR));
        Files.writeString(dir.resolve("file"), "");
        f.coordinatorLayout();
        assertEquals(List.of(f.err(2, 1, "output_dir", "not a directory: " + dir.resolve("file"))),
                f.errors(ConfigFixture.COORDINATOR_TOP.replace("\"out\"", "\"file\""), COORDINATOR));
    }

    @Test
    void reposMayBeBareOrWorkTreesButMustBeRepositoriesForTheCoordinator() throws Exception {
        f.coordinatorLayout();
        ConfigFixture.gitRepo(dir.resolve("bare.git"), true);
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [repos.bare]
                path = "bare.git"
                url = "https://e.org/bare.git"
                [repos.none]
                path = "missing"
                url = "https://e.org/none.git"
                """;
        assertEquals(List.of(f.err(10, 1, "repos.none.path", "not a git repository: " + dir.resolve("missing"))),
                f.errors(toml, COORDINATOR));
        assertEquals(dir.resolve("missing"), f.parse(toml, CI_STATUS).repo("none").path());
        assertEquals(dir.resolve("out"), f.parse(ConfigFixture.COORDINATOR_TOP, COORDINATOR).outputDir(),
                "output_dir need not exist when its parent does");
    }

    @Test
    void aWorkerNeedsASeedNodeAndAKtestTree() throws Exception {
        assertEquals(List.of(
                f.err(1, 1, "ci_host", "required key missing (a worker needs ci_host or cluster.seed_nodes)"),
                f.err(3, 1, "worker.ktest_dir", "required key missing (set worker.ktest_dir or ktest_dir)")),
                f.errors("[cluster]\ninsecure_plaintext = true\n[worker]\nslots = 1\n", WORKER));
        CiConfig seeds = f.parse("""
                [cluster]
                insecure_plaintext = true
                seed_nodes = ["pekko://ktest-ci@ci.example.net:25520", "pekko://ktest-ci@[::1]:2552"]
                [worker]
                ktest_dir = "k"
                """, WORKER);
        assertEquals(List.of("pekko://ktest-ci@ci.example.net:25520", "pekko://ktest-ci@[::1]:2552"),
                seeds.cluster().seedNodes());
        assertEquals(dir.resolve("k"), seeds.worker().ktestDir());
        assertEquals(List.of(f.err(3, 1, "worker.ktest_dir", "required key missing (set worker.ktest_dir or ktest_dir)")),
                f.errors("[cluster]\ninsecure_plaintext = true\n[worker]\nslots = 1\n", ConfigRole.WORKER_WITH_SEED),
                "ktest-ci worker --coordinator HOST:PORT names the seed itself");
    }

    @Test
    void bothRolesAtOnceNeedTheUnionOfBoth() throws Exception {
        f.coordinatorLayout();
        assertEquals(List.of(f.err(1, 1, "ci_host",
                        "required key missing (a worker needs ci_host or cluster.seed_nodes)")),
                f.errors(ConfigFixture.COORDINATOR_TOP, COORDINATOR_WITH_WORKER));
        assertEquals("c", f.parse("ci_host = \"c\"\n" + ConfigFixture.COORDINATOR_TOP, COORDINATOR_WITH_WORKER)
                .ciHost());
    }

    @Test
    void ciStatusNeedsNothingButStillValidatesEveryKey() throws Exception {
        assertEquals("ci", f.parse("", CI_STATUS).user());
        assertEquals(List.of(f.err(1, 1, "linux_rep", "unknown key (did you mean \"linux_repo\"?)")),
                f.errors("linux_rep = \"x\"", CI_STATUS));
    }

    @Test
    void theCoordinatorRefusesAWorldReadableOrShortAdminToken() throws Exception {
        f.coordinatorLayout();
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "x".repeat(40));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        String toml = ConfigFixture.COORDINATOR_TOP + "[http]\nadmin_token_file = \"admin.token\"\n";
        assertEquals(List.of(f.err(7, 1, "http.admin_token_file", "must not be world-readable: " + token)),
                f.errors(toml, COORDINATOR));
        assertEquals(token, f.parse(toml, CI_STATUS).http().adminTokenFile().orElseThrow(),
                "only the coordinator reads the token");

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(token, "  " + "x".repeat(31) + "\n");
        assertEquals(List.of(f.err(7, 1, "http.admin_token_file",
                "token must be at least 32 characters: " + token)), f.errors(toml, COORDINATOR));

        Files.writeString(token, "x".repeat(32) + "\n");
        assertEquals(token, f.parse(toml, COORDINATOR).http().adminTokenFile().orElseThrow());
        Files.delete(token);
        assertEquals(token, f.parse(toml, COORDINATOR).http().adminTokenFile().orElseThrow(),
                "a token file that does not exist yet is not checked");
    }

    @Test
    void anUnsupportedMachineIsAnErrorOnlyForAWorkerWithoutWorkerArch() throws Exception {
        String saved = System.getProperty("os.arch");
        try {
            System.setProperty("os.arch", "riscv64");
            String toml = "ci_host = \"c\"\nktest_dir = \"/k\"\n[cluster]\ninsecure_plaintext = true\n[worker]\n";
            assertEquals(List.of(f.err(5, 1, "worker.arch", "cannot detect the arch: os.arch \"riscv64\" is "
                    + "neither x86_64 nor aarch64; set worker.arch")), f.errors(toml, WORKER));
            assertEquals(Arch.AARCH64, f.parse(toml + "arch = \"aarch64\"\n", WORKER).worker().arch());
            f.parse(toml, CI_STATUS);
        } finally {
            System.setProperty("os.arch", saved);
        }
    }
}
