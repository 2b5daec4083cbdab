package org.ktestci.worker.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.CborSerializable;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.WorkerHello;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coordinator message whose reason is a string this release does not know (crafted, or from a peer out of
 * step) decodes without error and is refused as {@code malformed} by the worker's field checks; it does not
 * touch the running lease. The messages are decoded from the CBOR bytes a peer would send (protocol.md §5).
 */
class CraftedReasonsTest {
    private static final ActorTestKit KIT = ActorTestKit.create("CraftedReasonsTest", ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.roles = [coordinator, worker]
            """).withFallback(ConfigFactory.load()));
    private static final String LEASE = "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011";

    /** {@code RevokeLease} and {@code Reject} as a peer writes them: the reason is any string. */
    record WireRevokeLease(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("reason") String reason) implements CborSerializable {
    }

    record WireReject(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                      @JsonProperty("seq") long seq, @JsonProperty("reason") String reason)
            implements CborSerializable {
    }

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void theCheckNamesAnUnknownReasonAndPassesAKnownOne() throws Exception {
        AgentMessageCheck check = new AgentMessageCheck(validator());
        assertEquals(Optional.of("reason unknown"), check.problem(decode(new WireRevokeLease(LEASE, 3, "Because!"),
                RevokeLease.class)));
        assertEquals(Optional.of("reason unknown"), check.problem(decode(new WireReject(LEASE, 3, 1, "no_reason"),
                Reject.class)));
        assertEquals(Optional.of("reason null"), check.problem(new Reject(LEASE, 3, 1, null)));
        for (LeaseEndReason r : LeaseEndReason.values()) {
            if (r.known() && r != LeaseEndReason.NONE) {
                assertEquals(Optional.empty(), check.problem(decode(new WireRevokeLease(LEASE, 3, r.wireName()),
                        RevokeLease.class)), r.wireName());
            }
        }
        for (RejectReason r : RejectReason.values()) {
            if (r.known()) {
                assertEquals(Optional.empty(), check.problem(decode(new WireReject(LEASE, 3, 1, r.wireName()),
                        Reject.class)), r.wireName());
            }
        }
    }

    @Test
    void anUnknownReasonIsRefusedAsMalformedAndTheRunGoesOn() throws Exception {
        WorkerAgentTrustTest.joinSelf(KIT);
        AgentRejects rejects = new AgentRejects();
        CountDownLatch aborted = new CountDownLatch(1);
        AtomicInteger aborts = new AtomicInteger();
        BatchValidator v = validator();
        ActiveLeases active = new ActiveLeases();
        BatchRun.Factory untilAborted = (b, sink) -> new BatchRun() {
            public BatchFinished execute() {
                try {
                    aborted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, LeaseEndReason.WORKER_SHUTDOWN, "",
                        List.of(), List.of());
            }

            public void abort() {
                aborts.incrementAndGet();
                aborted.countDown();
            }
        };
        TestProbe<GatewayMessage> gateway = KIT.createTestProbe();
        KIT.system().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, gateway.ref()));
        KIT.spawn(WorkerAgent.create(WorkerAgentTrustTest.identity("w1"), WorkerAgentTrustTest.NO_KVM,
                n -> SlotRunner.create(n, untilAborted, v, Duration.ofSeconds(30), active), active, v, rejects),
                "agent-w1");
        ActorRef<AgentMessage> door = gateway.expectMessageClass(WorkerHello.class, Duration.ofSeconds(10)).agent();
        door.tell(new HelloAck(ProtocolVersion.CURRENT, true, "", 7, 1, 3, 12, List.of(), List.of()));
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        door.tell(WorkerAgentTrustTest.batch(LEASE, 3, executor.ref()));
        executor.expectMessageClass(BatchAccepted.class);

        door.tell(decode(new WireRevokeLease(LEASE, 3, "Because!"), RevokeLease.class));
        door.tell(decode(new WireReject(LEASE, 3, 1, "no_reason"), Reject.class));
        awaitMalformed(rejects, 2);
        assertEquals(0, aborts.get(), "a refused message does not touch the running lease");

        door.tell(decode(new WireRevokeLease(LEASE, 3, "admin_revoke"), RevokeLease.class));
        assertTrue(aborted.await(10, TimeUnit.SECONDS), "a known reason is obeyed");
        assertEquals(2L, rejects.snapshot().get("malformed"), rejects.snapshot().toString());
    }

    private static void awaitMalformed(AgentRejects rejects, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (rejects.snapshot().getOrDefault("malformed", 0L) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not refused as malformed: " + rejects.snapshot());
            }
            Thread.sleep(10);
        }
    }

    private static <T> T decode(Object peerMessage, Class<T> as) {
        Serialization s = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        byte[] bytes = s.serialize(peerMessage).get();
        return as.cast(s.deserialize(bytes, s.findSerializerFor(peerMessage).identifier(), as.getName()).get());
    }

    private BatchValidator validator() throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests"));
        Files.writeString(dir.resolve("ktest/tests/t.ktest"), "#!/bin/sh\n");
        return new BatchValidator(dir.resolve("ktest"));
    }
}
