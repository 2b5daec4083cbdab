package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.live.LiveMessage;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.WorkerHello;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: the gateway, the artifact store and an executor each fail with an exception in the middle of a farm's
 * work; each restarts, and the farm finishes: every verdict arrives, every lease ends completed (none expires or
 * is dropped), no actor stops.
 */
class SupervisionTest {
    @TempDir
    Path dir;

    @Test
    void theGatewayTheArtifactStoreAndAnExecutorRecoverFromAFailureWithoutLosingALease() throws Exception {
        try (Farm farm = new Farm(dir, 24, 40)) {
            // The executor fails while it applies the third SubtestStarted it sees: after it has taken the
            // message's sequence number, before its effect is done.
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean executorFailed = new AtomicBoolean();
            farm.liveHook = m -> {
                if (m instanceof LiveMessage.Event e && e.type().equals("started") && armed.get()
                        && executorFailed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure publishing a started event");
                }
            };
            farm.awaitPassed(2, Duration.ofSeconds(30));
            LoggingTestKit.warn("executor restarted after a failure").expect(farm.kit.system(), () -> {
                armed.set(true);
                try {
                    farm.awaitPassed(6, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });

            // The gateway fails on a hello whose [hosts.*] lookup throws.
            farm.poisonHost = "boom";
            TestProbe<AgentMessage> stranger = farm.kit.createTestProbe();
            LoggingTestKit.warn("worker gateway restarted after a failure: 1 hosts and their executors kept")
                    .expect(farm.kit.system(), () -> {
                        org.ktestci.protocol.GatewayMessage hello = new WorkerHello(1, "boom", "x86_64", 1, "0.1.0",
                                "rev", "host", false, "no VMs", 1024, 1, List.of(), stranger.ref());
                        WorkerGateway.wire(farm.gateway).tell(hello);
                        return null;
                    });

            // The artifact store fails on a write it cannot even look at.
            TestProbe<ArtifactStore.Written> written = farm.kit.createTestProbe();
            LoggingTestKit.error("saw failure").expect(farm.kit.system(), () -> {
                farm.artifacts.tell(new ArtifactStore.Write(Farm.SHA, new LogChunk("00000000-0000-0000-0000-0000"
                        + "00000000", 1, 1, LogChunk.KIND_LOG, "t.s0", 1, 0, 1, null, true), 1, written.ref()));
                return null;
            });

            farm.awaitAllPassed(Duration.ofSeconds(60));
            assertTrue(executorFailed.get());
            assertEquals(Map.of("completed", farm.metrics.leasesGranted.get()), farm.leaseEnds(),
                    "every lease ended completed: none expired, was dropped or re-run");
            assertTrue(farm.terminated.isEmpty(), "stopped: " + farm.terminated);
            WorkerGateway.HostView w1 = farm.workers().hosts().get(0);
            assertEquals(Farm.HOST, w1.host());
            assertEquals(Farm.SLOTS, w1.slotList().size(), "the restarted gateway kept the host and its executors");
            assertTrue(farm.records().keySet().stream().allMatch(k -> java.nio.file.Files.exists(
                    dir.resolve("out").resolve(Farm.SHA).resolve(k).resolve("log.br"))), "every log was stored");
        }
    }
}
