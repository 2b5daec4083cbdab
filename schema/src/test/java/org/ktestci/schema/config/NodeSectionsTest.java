package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;

/** {@code [cluster]}, {@code [http]}, {@code [persistence]}, {@code [worker]} and {@code user} (config.md §2, §6). */
class NodeSectionsTest extends ConfigFixtureTest {
    @Test
    void readsEveryNodeKey() throws Exception {
        CiConfig c = f.parse("""
                user = "bob_2-x"
                [cluster]
                seed_nodes = ["pekko://ktest-ci@a:1", "pekko://ktest-ci@b.example.net:25520"]
                bind_host = "10.0.0.1"
                port = 0
                advertise_host = "a.example.net"
                insecure_plaintext = true
                [http]
                bind = "localhost:0"
                base_path = "/ci-x/v1.2~"
                [persistence]
                journal = "postgresql"
                url = "jdbc:postgresql://db/ktest"
                user = "me"
                password_file = "pw"
                [worker]
                host = "farm-1.example.net"
                arch = "aarch64"
                slots = 256
                runner = "qemu"
                qemu_binary = "/usr/bin/qemu"
                busybox = "/bin/busybox"
                bash = "/bin/bash"
                log_cap_mib = 1
                min_free_disk_gib = 0
                """, CI_STATUS);
        assertEquals("bob_2-x", c.user());
        assertEquals(new ClusterConfig(List.of("pekko://ktest-ci@a:1", "pekko://ktest-ci@b.example.net:25520"), true,
                "10.0.0.1", 0, Optional.of("a.example.net"), Optional.empty(), Optional.empty(), Optional.empty(),
                true), c.cluster());
        assertEquals(new HttpConfig("localhost", 0, "/ci-x/v1.2~", Optional.empty()), c.http());
        assertEquals(new PersistenceConfig(PersistenceConfig.Journal.POSTGRESQL,
                Path.of("/var/lib/ktest-ci/journal"), Optional.of("jdbc:postgresql://db/ktest"), "me",
                Optional.of(dir.resolve("pw"))), c.persistence());
        WorkerConfig w = c.worker();
        assertEquals("farm-1.example.net", w.host());
        assertEquals(Arch.AARCH64, w.arch());
        assertEquals(256, w.slots());
        assertEquals(WorkerConfig.Runner.QEMU, w.runner());
        assertEquals("/usr/bin/qemu", w.qemuBinary());
        assertEquals(List.of("/bin/busybox", "/bin/bash", 1, 0),
                List.of(w.busybox(), w.bash(), w.logCapMib(), w.minFreeDiskGib()));
        assertEquals("qemu-system-aarch64", f.parse("[worker]\narch = \"aarch64\"", CI_STATUS).worker().qemuBinary());
    }

    @Test
    void checksNodeValues() {
        List<String> errors = f.errors("""
                user = "Bob"
                ci_url = "ftp://x"
                [cluster]
                seed_nodes = ["pekko://other@h:25520", "akka://ktest-ci@h:1", "pekko://ktest-ci@h:99999"]
                port = 65536
                [http]
                bind = "8080"
                base_path = "/ci/"
                [persistence]
                journal = "sqlite"
                url = "postgres://db"
                [worker]
                host = "farm_1"
                runner = "docker"
                slots = 300
                log_cap_mib = 0
                min_free_disk_gib = -1
                arch = "arm64"
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(1, 1, "user", "must match ^[a-z][a-z0-9_-]{0,31}$, got \"Bob\""),
                f.err(2, 1, "ci_url", "must be an http:// or https:// URL, got \"ftp://x\""),
                f.err(4, 15, "cluster.seed_nodes[0]", "system name must be \"ktest-ci\", got \"other\""),
                f.err(4, 40, "cluster.seed_nodes[1]",
                        "must be pekko://ktest-ci@<host>:<port>, got \"akka://ktest-ci@h:1\""),
                f.err(4, 63, "cluster.seed_nodes[2]",
                        "must be pekko://ktest-ci@<host>:<port>, got \"pekko://ktest-ci@h:99999\""),
                f.err(5, 1, "cluster.port", "must be between 0 and 65535, got 65536"),
                f.err(7, 1, "http.bind", "must be \"<host>:<port>\", got \"8080\""),
                f.err(8, 1, "http.base_path", "must be \"\" or match ^/[A-Za-z0-9._~/-]*[^/]$, got \"/ci/\""),
                f.err(10, 1, "persistence.journal", "must be one of \"h2\", \"postgresql\", got \"sqlite\""),
                f.err(11, 1, "persistence.url", "must be a jdbc:postgresql:// URL, got \"postgres://db\""),
                f.err(13, 1, "worker.host", "must match ^[A-Za-z0-9.-]+$, got \"farm_1\""),
                f.err(14, 1, "worker.runner", "must be one of \"ktest\", \"host\", \"qemu\", got \"docker\""),
                f.err(15, 1, "worker.slots", "must be between 1 and 256, got 300"),
                f.err(16, 1, "worker.log_cap_mib", "must be >= 1, got 0"),
                f.err(17, 1, "worker.min_free_disk_gib", "must be >= 0, got -1"),
                f.err(18, 1, "worker.arch", "must be one of \"x86_64\", \"aarch64\", got \"arm64\"")), errors);
    }

    @Test
    void postgresqlNeedsAUrlAndSeedNodesCannotBeEmpty() {
        assertEquals(List.of(
                f.err(1, 1, "persistence.url", "required key missing (journal = \"postgresql\")"),
                f.err(4, 1, "cluster.seed_nodes", "must name at least one seed node")),
                f.errors("[persistence]\njournal = \"postgresql\"\n[cluster]\nseed_nodes = []\n", CI_STATUS));
    }

    @Test
    void archAndRunnerEnumsReadTheirConfigNames() {
        assertEquals(Optional.of(Arch.X86_64), Arch.fromConfig("x86_64"));
        assertEquals(Optional.of(Arch.AARCH64), Arch.fromConfig("aarch64"));
        assertTrue(Arch.fromConfig("arm64").isEmpty());
        assertEquals(Optional.of(Arch.X86_64), Arch.detect("amd64"));
        assertEquals(Optional.of(Arch.AARCH64), Arch.detect("arm64"));
        assertTrue(Arch.detect("ppc64le").isEmpty());
        assertEquals("aarch64", Arch.AARCH64.toString());
        assertEquals(Optional.of(WorkerConfig.Runner.HOST), WorkerConfig.Runner.fromConfig("host"));
        assertTrue(WorkerConfig.Runner.fromConfig("HOST").isEmpty());
    }
}
