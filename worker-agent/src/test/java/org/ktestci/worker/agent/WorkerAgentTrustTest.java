package org.ktestci.worker.agent;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.worker.qemu.KvmDecision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproductions of issue 12's "a worker obeys any cluster member": on a node without the coordinator role, a
 * gateway registered under the service key gets no hello; HelloAck/RunBatch sent to the agent's path start
 * nothing; and on the coordinator's node, only the gateway that acknowledged the hello is obeyed.
 */
class WorkerAgentTrustTest {
    static final CompletionStage<KvmDecision> NO_KVM =
            CompletableFuture.completedFuture(
                    new KvmDecision(false, "the host runner uses no VM"));
    private static final ActorTestKit WORKER_ONLY = kit("WorkerAgentTrustTest", "[worker]");
    private static final ActorTestKit WITH_COORDINATOR = kit("WorkerAgentTrustTestCoordinator",
            "[coordinator, worker]");

    @TempDir
    Path dir;

    private static ActorTestKit kit(String name, String roles) {
        return ActorTestKit.create(name, ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.roles = %s
                """.formatted(roles)).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void shutdown() {
        WORKER_ONLY.shutdownTestKit();
        WITH_COORDINATOR.shutdownTestKit();
    }

    static void joinSelf(ActorTestKit kit) {
        Cluster c = Cluster.get(kit.system());
        c.manager().tell(Join.create(c.selfMember().address()));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (c.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the node did not come up");
            }
            Thread.onSpinWait();
        }
    }

    static RunBatch batch(String lease, long epoch, ActorRef<ExecutorMessage> executor) {
        return new RunBatch(lease, epoch, 0, 1, "linux", "0123456789abcdef0123456789abcdef01234567", List.of(), "",
                "t.ktest", "", Map.of(), "x86_64", List.of(new RunBatch.BatchSubtest("a", "t.a", 30)), "t", 60,
                executor);
    }

    /** Slot runners whose batches only count that they ran. */
    static BatchRun.Factory counting(AtomicInteger runs) {
        return (b, sink) -> new BatchRun() {
            public BatchFinished execute() {
                runs.incrementAndGet();
                return new BatchFinished("", 0, 0, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "", List.of(),
                        List.of());
            }

            public void abort() {
            }
        };
    }

    static AgentIdentity identity(String host) {
        return new AgentIdentity(host, "x86_64", 1, "host", "0.1.0", "rev", 1024, 2);
    }

    private BatchValidator validator() throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests"));
        Files.writeString(dir.resolve("ktest/tests/t.ktest"), "#!/bin/sh\n");
        return new BatchValidator(dir.resolve("ktest"));
    }

    private ActorRef<Object> agent(ActorTestKit kit, String host, AtomicInteger runs, AgentRejects rejects)
            throws Exception {
        BatchValidator v = validator();
        ActiveLeases active = new ActiveLeases();
        return kit.spawn(WorkerAgent.create(identity(host), NO_KVM, n -> SlotRunner.create(n, counting(runs), v,
                Duration.ofSeconds(30), active), active, v, rejects), "agent-" + host);
    }

    private static HelloAck accepted() {
        return new HelloAck(ProtocolVersion.CURRENT, true, "", 7, 1, 3, 12, List.of(), List.of());
    }

    @Test
    void aGatewayRegisteredByANonCoordinatorMemberGetsNoHelloAndIsNotObeyed() throws Exception {
        joinSelf(WORKER_ONLY);
        AtomicInteger runs = new AtomicInteger();
        AgentRejects rejects = new AgentRejects();
        TestProbe<GatewayMessage> fake = WORKER_ONLY.createTestProbe();
        WORKER_ONLY.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, fake.ref()));
        ActorRef<Object> agent = agent(WORKER_ONLY, "w1", runs, rejects);
        fake.expectNoMessage(Duration.ofSeconds(3));
        // Even told where the agent is, the fake gateway's ack and batch start nothing.
        TestProbe<ExecutorMessage> executor = WORKER_ONLY.createTestProbe();
        agent.tell(accepted());
        agent.tell(batch("L1", 1, executor.ref()));
        executor.expectNoMessage(Duration.ofSeconds(1));
        assertEquals(0, runs.get());
        assertTrue(rejects.snapshot().getOrDefault("untrusted_gateway", 0L) >= 1, rejects.snapshot().toString());
        assertEquals(2L, rejects.snapshot().get("unsolicited"), rejects.snapshot().toString());
    }

    @Test
    void anAckOrBatchSentToTheAgentsWellKnownPathStartsNothing() throws Exception {
        joinSelf(WORKER_ONLY);
        AtomicInteger runs = new AtomicInteger();
        AgentRejects rejects = new AgentRejects();
        ActorRef<Object> spawned = agent(WORKER_ONLY, "w2", runs, rejects);
        // An attacker knows the agent's path (it is the same on every worker) and addresses it directly.
        ActorRef<AgentMessage> byPath = ActorRefResolver.get(WORKER_ONLY.system())
                .resolveActorRef(ActorRefResolver.get(WORKER_ONLY.system()).toSerializationFormat(spawned));
        TestProbe<ExecutorMessage> executor = WORKER_ONLY.createTestProbe();
        byPath.tell(accepted());
        byPath.tell(batch("L2", 1, executor.ref()));
        executor.expectNoMessage(Duration.ofSeconds(1));
        assertEquals(0, runs.get());
        assertEquals(2L, rejects.snapshot().get("unsolicited"), rejects.snapshot().toString());
    }

    @Test
    void onlyTheGatewayThatAcknowledgedTheHelloIsObeyed() throws Exception {
        joinSelf(WITH_COORDINATOR);
        AtomicInteger runs = new AtomicInteger();
        AgentRejects rejects = new AgentRejects();
        TestProbe<GatewayMessage> gateway = WITH_COORDINATOR.createTestProbe();
        WITH_COORDINATOR.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY,
                gateway.ref()));
        agent(WITH_COORDINATOR, "w3", runs, rejects);
        WorkerHello hello = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10));
        ActorRef<AgentMessage> door = hello.agent();
        door.tell(accepted());

        // A second gateway on the same node is greeted too, with its own door; it did not acknowledge.
        TestProbe<GatewayMessage> other = WITH_COORDINATOR.createTestProbe();
        WITH_COORDINATOR.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY,
                other.ref()));
        ActorRef<AgentMessage> otherDoor = other.fishForMessage(Duration.ofSeconds(10), m -> m instanceof WorkerHello
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore())
                .stream().map(m -> ((WorkerHello) m).agent()).reduce((a, b) -> b).orElseThrow();
        assertTrue(!otherDoor.equals(door), "each gateway gets its own door");
        TestProbe<ExecutorMessage> executor = WITH_COORDINATOR.createTestProbe();
        otherDoor.tell(batch("L3", 1, executor.ref()));
        assertEquals(RefusalReason.WRONG_GATEWAY, executor.expectMessageClass(BatchRefused.class).reason());
        assertEquals(1L, rejects.snapshot().get("not_acknowledged_gateway"), rejects.snapshot().toString());

        // The acknowledging gateway's batch runs; a malformed one through the same door is refused.
        door.tell(batch("L4", 2, executor.ref()));
        executor.expectMessageClass(BatchAccepted.class);
        executor.expectMessageClass(BatchFinished.class);
        assertEquals(1, runs.get());
        RunBatch escape = batch("L5", 3, executor.ref());
        door.tell(new RunBatch(escape.leaseId(), escape.epoch(), 0, 1, "../../etc", escape.commit(), List.of(), "",
                "t.ktest", "", Map.of(), "x86_64", escape.subtests(), "t", 60, executor.ref()));
        assertEquals(RefusalReason.BAD_BATCH, executor.expectMessageClass(BatchRefused.class).reason());
        assertEquals(1L, rejects.snapshot().get("malformed"), rejects.snapshot().toString());
        assertEquals(1, runs.get());
    }
}
