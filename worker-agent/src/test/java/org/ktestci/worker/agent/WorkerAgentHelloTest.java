package org.ktestci.worker.agent;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.worker.qemu.KvmDecision;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hello carries the agent-start KVM probe's decision and reason, and never a guess made before it. */
class WorkerAgentHelloTest {
    /** One system per test: each agent sees every gateway registered in its system. */
    private final ActorTestKit kit = ActorTestKit.create();

    @AfterEach
    void shutdown() {
        kit.shutdownTestKit();
    }

    private static final AgentIdentity IDENTITY = new AgentIdentity("farm1", "x86_64", 2, "qemu", "0.1.0", "abc",
            4096, 8);

    @Test
    void theFirstHelloWaitsForTheProbeAndReportsItsDecision() {
        TestProbe<GatewayMessage> gateway = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, gateway.getRef()));
        CompletableFuture<KvmDecision> probe = new CompletableFuture<>();
        kit.spawn(WorkerAgent.create(IDENTITY, probe, n -> Behaviors.empty()));

        gateway.expectNoMessage(Duration.ofMillis(500));
        probe.complete(new KvmDecision(false, "a probe VM took 14.2 s (KVM is used only below 10 s)"));
        WorkerHello hello = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10));
        assertFalse(hello.kvm());
        assertEquals("a probe VM took 14.2 s (KVM is used only below 10 s)", hello.kvmReason());
        assertEquals("farm1", hello.host());
    }

    @Test
    void aFailedProbeIsReportedAsNoKvmWithTheFailure() {
        TestProbe<GatewayMessage> gateway = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, gateway.getRef()));
        kit.spawn(WorkerAgent.create(IDENTITY, CompletableFuture.failedFuture(new IllegalStateException("boom")),
                n -> Behaviors.empty()));
        WorkerHello hello = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10));
        assertFalse(hello.kvm());
        assertTrue(hello.kvmReason().startsWith("the KVM probe failed: "), hello.kvmReason());
        assertTrue(hello.kvmReason().contains("boom"), hello.kvmReason());
    }
}
