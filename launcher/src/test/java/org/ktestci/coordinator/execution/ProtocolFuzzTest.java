package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12's protocol fuzzer: while a farm runs 120 subtests, 10,000 malformed or out-of-order messages from a
 * fixed seed go to the gateway, the executors and the worker agent. No actor stops or even restarts, every lease
 * ends completed (none expires, is revoked or refused), every subtest gets its own honest verdict. The counts are
 * printed (and reported in docs/security.md).
 */
class ProtocolFuzzTest {
    static final long SEED = 0x6b74657374L;
    static final int MESSAGES = 10_000;
    static final int JOBS = 120;

    @TempDir
    Path dir;

    @Test
    void tenThousandMalformedOrOutOfOrderMessagesStopNoActorAndLoseNoLeaseOrVerdict() throws Exception {
        long start = System.nanoTime();
        try (Farm farm = new Farm(dir, JOBS, 25)) {
            // Both slots have run a batch: their epochs are past any the fuzzer's stale batches carry.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (farm.batches.stream().map(b -> b.slot()).distinct().count() < Farm.SLOTS) {
                assertTrue(System.nanoTime() < deadline, "both slots got a batch");
                Thread.sleep(10);
            }
            var door = farm.workers().hosts().get(0).hello().orElseThrow().agent();
            TestProbe<AgentMessage> stranger = farm.kit.createTestProbe();
            TestProbe<ExecutorMessage> strangerExecutor = farm.kit.createTestProbe();
            ProtocolFuzzer fuzz = new ProtocolFuzzer(SEED, MESSAGES, farm, door, stranger.ref(),
                    strangerExecutor.ref());

            LoggingTestKit.custom(e -> e.message().contains("saw failure")).withOccurrences(0)
                    .expect(farm.kit.system(), () -> {
                        try {
                            while (fuzz.total < MESSAGES) {
                                for (int i = 0; i < 60 && fuzz.total < MESSAGES; i++) {
                                    fuzz.sendSome();
                                }
                                // Keep pace with the farm, so the messages meet leases at every stage.
                                farm.awaitPassed(Math.min(JOBS, farm.passed() + 1), Duration.ofMillis(500));
                            }
                            farm.awaitAllPassed(Duration.ofSeconds(60));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return null;
                    });
            double seconds = (System.nanoTime() - start) / 1e9;

            assertTrue(farm.terminated.isEmpty(), "stopped: " + farm.terminated);
            assertEquals(Map.of("completed", farm.metrics.leasesGranted.get()), farm.leaseEnds(),
                    "every lease ended completed: none expired, was revoked, refused or dropped");
            for (ResultRecord r : farm.records().values()) {
                assertEquals(Status.PASSED, r.status(), r.toString());
                assertEquals("========= PASSED " + r.key().substring("t.".length()) + " in 0s", r.statusLine(),
                        "no forged verdict: " + r);
            }
            assertEquals(JOBS, farm.records().size());
            WorkerGateway.WorkersView workers = farm.workers();
            assertEquals(1, workers.hosts().size(), "no host joined or left: " + workers.hosts());
            assertEquals(Farm.SLOTS, workers.hosts().get(0).slotList().size());
            Map<String, Double> refused = farm.coordinatorRejects();
            Map<String, Long> agentRefused = farm.agentRejects.snapshot();
            assertTrue(refused.values().stream().mapToDouble(Double::doubleValue).sum() > 1000, refused.toString());
            assertTrue(agentRefused.values().stream().mapToLong(Long::longValue).sum() > 1000,
                    agentRefused.toString());

            System.out.printf("protocol fuzzer: seed %#x, %d messages in %.1f s (farm of %d subtests, %d leases, "
                            + "all completed)%n", SEED, fuzz.total, seconds, JOBS,
                    (long) farm.metrics.leasesGranted.get());
            System.out.println("  sent: " + fuzz.sent);
            System.out.println("  not deliverable over CBOR (dropped by the transport): " + fuzz.undeliverable);
            System.out.println("  refused by the coordinator: " + refused.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().longValue()).collect(Collectors.joining(", ")));
            System.out.println("  refused by the worker agent: " + agentRefused);
            assertTrue(seconds < 90, "within the fuzzer's budget: " + seconds + " s");
        }
    }
}
