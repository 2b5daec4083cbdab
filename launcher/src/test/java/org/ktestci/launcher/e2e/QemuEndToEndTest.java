package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.worker.vm.VmTestEnvironment;

import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The qemu runner under the real coordinator, worker agent and HTTP server: a commit's subtests pass, fail,
 * skip, panic the kernel (the rest resume in a fresh VM) and time out after a WATCHDOG, all in real VMs.
 * CI provides Debian's kernel as KTEST_CI_TEST_KERNEL; elsewhere the test is skipped.
 */
class QemuEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void verdictsFromRealVmsReachTheApi() throws Exception {
        Path kernel = VmTestEnvironment.kernel();
        VmTestEnvironment.qemu();
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: vm test").get(0);
        fx.testFile("vm.ktest", VmTestEnvironment.EVERY_OUTCOME_TEST);
        Path cfg = fx.config("ktest-ci.toml", "vm.ktest", "subtest_timeout = 60", CiFixture.PLAINTEXT,
                "runner = \"qemu\"\nqemu_kernel = \"%s\"\nslots = 1\nmin_free_disk_gib = 0\n".formatted(kernel));
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            Map<String, JsonNode> tests = CiFixture.awaitVerdicts(node.httpPort(), sha, 6,
                    Duration.ofSeconds(240));
            Map<String, String> expected = Map.of("vm.pass", "passed", "vm.fail", "failed", "vm.skip", "notrun",
                    "vm.panic", "failed", "vm.after", "passed", "vm.hang", "failed");
            for (var e : expected.entrySet()) {
                assertTrue(tests.containsKey(e.getKey()), "verdict for " + e.getKey() + " in " + tests.keySet());
                assertEquals(e.getValue(), tests.get(e.getKey()).get("status").asText(), e.getKey());
                assertTrue(tests.get(e.getKey()).get("run").asText().startsWith("runner=qemu command="),
                        "reproduction info for " + e.getKey());
            }
            assertTrue(tests.get("vm.hang").get("status_line").asText().startsWith("========= FAILED TIMEOUT hang"));
            assertTrue(List.of("TEST FAILED").contains(tests.get("vm.panic").get("status_line").asText()),
                    "the subtest running when the kernel panicked fails");
        }
    }
}
