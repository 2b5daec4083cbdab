package org.ktestci.schema.config;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults of config.md §2, §6 and how paths are resolved. */
class ConfigDefaultsTest extends ConfigFixtureTest {
    @Test
    void anEmptyFileGetsEveryDefault() throws Exception {
        CiConfig c = f.parse("", ConfigRole.CI_STATUS);
        assertEquals("ci", c.user());
        assertEquals(Path.of("/var/lib/ktest-ci"), c.stateDir());
        assertEquals(List.of(600, 30, 1200, 500, 2000, 500, 12, 3, 2, 3, 600, 14400, 60, 600, 3600, 3600, 1800),
                List.of(c.subtestDurationMax(), c.subtestDurationDef(), c.subtestTimeout(), c.keepResultsCommits(),
                        c.window(), c.refillAt(), c.leaseTimeout(), c.heartbeatInterval(), c.infraRetries(),
                        c.quarantineAfter(), c.quarantineBackoff(), c.quarantineBackoffMax(), c.fetchInterval(),
                        c.refillInterval(), c.fairShareHalfLife(), c.gcGrace(), c.maintenanceInterval()));
        assertEquals(Path.of(""), c.outputDir(), "unset and not required: the empty path");
        assertTrue(c.repos().isEmpty() && c.testGroups().isEmpty() && c.branches().isEmpty() && c.hosts().isEmpty());
        assertEquals(ConfigLoader.localHostName(), c.ciHost());
        assertEquals("http://" + c.ciHost() + ":8080", c.ciUrl());

        ClusterConfig cluster = c.cluster();
        assertEquals(List.of("pekko://ktest-ci@" + c.ciHost() + ":25520"), cluster.seedNodes());
        assertEquals("0.0.0.0", cluster.bindHost());
        assertEquals(25520, cluster.port());
        assertEquals(Optional.empty(), cluster.advertiseHost());
        assertEquals(Optional.empty(), cluster.tlsCert());
        assertFalse(cluster.insecurePlaintext());

        assertEquals(new HttpConfig("0.0.0.0", 8080, "", Optional.empty()), c.http());
        assertEquals(new PersistenceConfig(PersistenceConfig.Journal.H2, Path.of("/var/lib/ktest-ci/journal"),
                Optional.empty(), "ktest_ci", Optional.empty()), c.persistence());

        WorkerConfig w = c.worker();
        assertEquals(ConfigLoader.localHostName(), w.host());
        assertEquals(Arch.detect().orElseThrow(), w.arch());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 4), w.slots());
        assertEquals(Path.of("/var/lib/ktest-ci/work"), w.workspace());
        assertEquals(WorkerConfig.Runner.KTEST, w.runner());
        assertEquals(Path.of("/var/lib/ktest/kernels"), w.kernelStore());
        assertEquals("qemu-system-" + w.arch().id(), w.qemuBinary());
        assertEquals("busybox", w.busybox());
        assertEquals("bash", w.bash());
        assertEquals(256, w.logCapMib());
        assertEquals(10, w.minFreeDiskGib());
        assertEquals(Optional.empty(), w.qemuKernel());
        assertEquals(Optional.empty(), w.rootImage());
        assertEquals(Path.of("/var/lib/ktest-ci/root." + w.arch().id()), w.defaultRootImage());
        assertEquals(Optional.empty(), w.rootImageMirror());
        assertEquals(List.of(), w.rootImagePackages());
        assertEquals(128, w.consoleCapMib());
        assertEquals(5000, w.consoleLinesPerSec());
        assertEquals(List.of(), w.kernelPaths(), "no absolute kernel image is allowed by default");
    }

    @Test
    void kernelPathsAreDirectoriesResolvedLikeEveryOtherPath() throws Exception {
        CiConfig c = f.parse("""
                [worker]
                kernel_paths = ["kernels", "/srv/kernels/../images"]
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of(dir.resolve("kernels"), Path.of("/srv/images")), c.worker().kernelPaths());
        assertEquals(List.of(
                f.err(2, 17, "worker.kernel_paths[0]", "must not be the root directory (it would allow any file)"),
                f.err(2, 22, "worker.kernel_paths[1]", "expected string, got integer"),
                f.err(2, 33, "worker.kernel_paths[3]", "duplicate path \"/srv/\""),
                f.err(2, 42, "worker.kernel_paths[4]", "must be a directory path, got \"\"")),
                f.errors("""
                        [worker]
                        kernel_paths = ["/", 3, "/srv", "/srv/", ""]
                        """, ConfigRole.CI_STATUS));
    }

    @Test
    void resolvesRelativePathsAgainstTheFilesDirectoryAndLeavesTildeAlone() throws Exception {
        CiConfig c = f.parse("""
                output_dir = "../results"
                state_dir  = "~/state"
                ktest_dir  = "/opt/ktest/./x/.."
                [cluster]
                tls_ca = "tls/ca.crt"
                [http]
                admin_token_file = "token"
                [persistence]
                h2_file = "db/journal"
                password_file = "/etc/pw"
                [worker]
                workspace = "ws"
                kernel_store = "kernels"
                qemu_kernel = "vmlinuz"
                """, ConfigRole.CI_STATUS);
        assertEquals(dir.getParent().resolve("results"), c.outputDir());
        assertEquals(dir.resolve("~/state"), c.stateDir(), "~ is not expanded");
        assertEquals(Path.of("/opt/ktest"), c.ktestDir());
        assertEquals(Optional.of(dir.resolve("tls/ca.crt")), c.cluster().tlsCa());
        assertEquals(Optional.of(dir.resolve("token")), c.http().adminTokenFile());
        assertEquals(dir.resolve("db/journal"), c.persistence().h2File());
        assertEquals(Optional.of(Path.of("/etc/pw")), c.persistence().passwordFile());
        assertEquals(dir.resolve("ws"), c.worker().workspace());
        assertEquals(dir.resolve("kernels"), c.worker().kernelStore());
        assertEquals(Optional.of(dir.resolve("vmlinuz")), c.worker().qemuKernel());
        assertEquals(Path.of("/opt/ktest"), c.worker().ktestDir());
    }

    @Test
    void pathDefaultsFollowStateDir() throws Exception {
        CiConfig c = f.parse("state_dir = \"st\"", ConfigRole.CI_STATUS);
        assertEquals(dir.resolve("st/journal"), c.persistence().h2File());
        assertEquals(dir.resolve("st/work"), c.worker().workspace());
        assertEquals(dir.resolve("st/root." + c.worker().arch().id()), c.worker().defaultRootImage());
    }

    @Test
    void readsTheRootImageKeysAndNamesEveryBadValue() throws Exception {
        CiConfig c = f.parse("""
                [worker]
                root_image = "img/root.x86_64"
                root_image_mirror = "http://deb.debian.org/debian"
                root_image_packages = ["xfsprogs", "btrfs-progs"]
                """, ConfigRole.CI_STATUS);
        assertEquals(Optional.of(dir.resolve("img/root.x86_64")), c.worker().rootImage());
        assertEquals(Optional.of("http://deb.debian.org/debian"), c.worker().rootImageMirror());
        assertEquals(List.of("xfsprogs", "btrfs-progs"), c.worker().rootImagePackages());
        ConfigException e = Assertions.assertThrows(ConfigException.class, () -> f.parse("""
                [worker]
                root_image_mirror = "deb.debian.org"
                root_image_packages = ["ok", "Bad Name", 3]
                """, ConfigRole.CI_STATUS));
        String all = e.errors().toString();
        Assertions.assertTrue(all.contains(":2:1: worker.root_image_mirror: must be an http://"),
                all);
        Assertions.assertTrue(all.contains(
                "worker.root_image_packages[1]: must be a Debian package name"), all);
        Assertions.assertTrue(all.contains("worker.root_image_packages[2]"), all);
    }

    @Test
    void defaultCiUrlUsesCiHostHttpPortAndBasePathAndRemembersItWasNotSet() throws Exception {
        CiConfig c = f.parse("""
                ci_host = "ci.example.net"
                [http]
                bind = "[::1]:9090"
                base_path = "/ktest/ci"
                """, ConfigRole.CI_STATUS);
        assertEquals("http://ci.example.net:9090/ktest/ci", c.ciUrl());
        assertEquals(Optional.empty(), c.ciUrlFromFile());
        assertEquals("::1", c.http().bindHost());
        assertEquals(9090, c.http().bindPort());
        CiConfig set = f.parse("ci_url = \"https://ci.example.net/x\"", ConfigRole.CI_STATUS);
        assertEquals(Optional.of("https://ci.example.net/x"), set.ciUrlFromFile());
        assertEquals("https://ci.example.net/x", set.ciUrl());
    }

    @Test
    void theLinuxRepoIsLinuxRepoUnlessTheFileDefinesIt() throws Exception {
        CiConfig implicit = f.parse("""
                linux_repo = "src/linux"
                [repos.tools]
                path = "src/tools"
                url  = "https://example.org/tools.git"
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of("linux", "tools"), List.copyOf(implicit.repos().keySet()));
        assertEquals(new RepoConfig("linux", dir.resolve("src/linux"), ""), implicit.repo("linux"));
        CiConfig explicit = f.parse("""
                linux_repo = "src/linux"
                [repos.tools]
                path = "src/tools"
                url  = "https://example.org/tools.git"
                [repos.linux]
                path = "elsewhere/linux"
                url  = "https://example.org/linux.git"
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of("tools", "linux"), List.copyOf(explicit.repos().keySet()));
        assertEquals(new RepoConfig("linux", dir.resolve("elsewhere/linux"), "https://example.org/linux.git"),
                explicit.repo("linux"));
    }

    @Test
    void keepsFileOrderAndCannotBeModified() throws Exception {
        CiConfig c = f.parse("""
                [test_group.z]
                tests = ["z.ktest"]
                [test_group.a]
                tests = ["a.ktest"]
                env = { ktest_zz = 1, ktest_aa = 2 }
                [branch.zeta]
                fetch = "https://e.org/r.git main"
                test_groups = ["z", "a"]
                [branch.alpha]
                fetch = "https://e.org/r.git main"
                test_groups = ["a"]
                [branch.mid]
                fetch = "https://e.org/r.git main"
                test_groups = ["z"]
                [hosts.b]
                [hosts.a]
                """, ConfigRole.CI_STATUS);
        assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(c.branches().keySet()));
        assertEquals(List.of("z", "a"), List.copyOf(c.testGroups().keySet()));
        assertEquals(List.of("z", "a"), c.branches().get("zeta").testGroups());
        assertEquals(List.of("ktest_aa", "ktest_zz"), List.copyOf(c.testGroups().get("a").env().keySet()),
                "env is sorted by key");
        assertEquals(List.of("b", "a"), List.copyOf(c.hosts().keySet()));
        assertEquals(new HostConfig("b", Optional.empty(), Optional.empty()), c.hosts().get("b"));
        assertThrows(UnsupportedOperationException.class, () -> c.branches().remove("zeta"));
        assertThrows(UnsupportedOperationException.class, () -> c.testGroups().get("a").env().put("ktest_x", "1"));
        assertThrows(UnsupportedOperationException.class, () -> c.testGroups().get("a").tests().add("x.ktest"));
        assertEquals(Map.of(), c.repos());
    }
}
