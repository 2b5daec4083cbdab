package org.ktestci.worker.agent;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.worker.qemu.KvmDecision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hello carries the agent-start KVM probe's decision and reason, and never a guess made before it. */
class WorkerAgentHelloTest {
    /** One single-node cluster per test, holding the coordinator role: the agent greets only such a gateway. */
    private final ActorTestKit kit = ActorTestKit.create("WorkerAgentHelloTest", ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.roles = [coordinator, worker]
            """).withFallback(ConfigFactory.load()));

    @TempDir
    Path dir;

    @BeforeEach
    void join() {
        WorkerAgentTrustTest.joinSelf(kit);
    }

    private BatchValidator validator() throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests"));
        return new BatchValidator(dir.resolve("ktest"));
    }

    @AfterEach
    void shutdown() {
        kit.shutdownTestKit();
    }

    private static final AgentIdentity IDENTITY = new AgentIdentity("farm1", "x86_64", 2, "qemu", "0.1.0", "abc",
            4096, 8);

    @Test
    void theFirstHelloWaitsForTheProbeAndReportsItsDecision() throws Exception {
        TestProbe<GatewayMessage> gateway = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, gateway.getRef()));
        CompletableFuture<KvmDecision> probe = new CompletableFuture<>();
        kit.spawn(WorkerAgent.create(IDENTITY, probe, n -> Behaviors.empty(), new ActiveLeases(), validator(),
                new AgentRejects()));

        gateway.expectNoMessage(Duration.ofMillis(500));
        probe.complete(new KvmDecision(false, "a probe VM took 14.2 s (KVM is used only below 10 s)"));
        WorkerHello hello = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10));
        assertFalse(hello.kvm());
        assertEquals("a probe VM took 14.2 s (KVM is used only below 10 s)", hello.kvmReason());
        assertEquals("farm1", hello.host());
    }

    @Test
    void aFailedProbeIsReportedAsNoKvmWithTheFailure() throws Exception {
        TestProbe<GatewayMessage> gateway = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, gateway.getRef()));
        kit.spawn(WorkerAgent.create(IDENTITY, CompletableFuture.failedFuture(new IllegalStateException("boom")),
                n -> Behaviors.empty(), new ActiveLeases(), validator(), new AgentRejects()));
        WorkerHello hello = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10));
        assertFalse(hello.kvm());
        assertTrue(hello.kvmReason().startsWith("the KVM probe failed: "), hello.kvmReason());
        assertTrue(hello.kvmReason().contains("boom"), hello.kvmReason());
    }
}
