package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.worker.vm.VmTestEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What issue "ktest's own tests in real VMs" is done by: a coordinator with an embedded worker on the {@code qemu}
 * runner, a root image, Debian's kernel, and {@code ktest_dir} pointing at ktest itself. ktest's own
 * {@code success}, {@code failure}, {@code timeout} and {@code crash} test files give Passed, Failed, Failed,
 * Failed on the API within minutes, under TCG.
 */
class KtestOwnTestsEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void ktestsOwnTestFilesGiveTheirVerdictsThroughTheApi() throws Exception {
        Path kernel = VmTestEnvironment.kernel();
        Path image = VmTestEnvironment.rootImage();
        Path ktest = VmTestEnvironment.ktestTree();
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: ktest's own tests").get(0);
        copyTree(ktest, dir.resolve("ktest"));
        Path cfg = fx.config("ktest-ci.toml", "success.ktest\", \"failure.ktest\", \"timeout.ktest\", \"crash.ktest",
                "subtest_timeout = 300", CiFixture.PLAINTEXT, """
                        runner = "qemu"
                        qemu_kernel = "%s"
                        root_image = "%s"
                        slots = 2
                        min_free_disk_gib = 0
                        """.formatted(kernel, image));
        long start = System.nanoTime();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            Map<String, JsonNode> tests = CiFixture.awaitVerdicts(node.httpPort(), sha, 4,
                    Duration.ofSeconds(600));
            System.out.printf("ktest's own tests: 4 verdicts %.0f s after the coordinator started%n",
                    (System.nanoTime() - start) / 1e9);
            Map<String, String> expected = Map.of("success.success", "passed", "failure.failure", "failed",
                    "timeout.timeout", "failed", "crash.crash", "failed");
            for (var e : expected.entrySet()) {
                assertTrue(tests.containsKey(e.getKey()), "verdict for " + e.getKey() + " in " + tests);
                assertEquals(e.getValue(), tests.get(e.getKey()).get("status").asText(), e.getKey() + ": " + tests);
                assertTrue(tests.get(e.getKey()).get("run").asText().contains(" root_image=" + image),
                        "reproduction info names the root image: " + tests.get(e.getKey()));
            }
            assertTrue(tests.get("timeout.timeout").get("status_line").asText().startsWith("========= FAILED timeout"),
                    "under TCG config-timeout 10 x 4 outlasts the 30 s sleep; the test fails by its own false");
            assertEquals("TEST FAILED", tests.get("crash.crash").get("status_line").asText());
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted().toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(
                            Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }
}
