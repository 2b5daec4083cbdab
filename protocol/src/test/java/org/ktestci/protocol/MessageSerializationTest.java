package org.ktestci.protocol;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every cluster message crosses the wire through jackson-cbor, never Java serialization (protocol.md §5). */
class MessageSerializationTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static Object roundTrip(Object message) {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        var serializer = serialization.findSerializerFor(message);
        assertInstanceOf(JacksonCborSerializer.class, serializer, message.getClass() + " must use jackson-cbor");
        byte[] bytes = serialization.serialize(message).get();
        String manifest = Serializers.manifestFor(serializer, message);
        return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }

    @Test
    void everyProtocolMessageRoundTripsThroughCbor() {
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        List<Object> messages = List.of(
                new WorkerHello(1, "farm1", "x86_64", 4, "0.1.0", "abc", "host", false, "/dev/kvm does not exist", 1024, 8,
                        List.of(new WorkerHello.ActiveLease(0, "l1", 3, 9, 7)), agent.ref()),
                new WorkerGoodbye("farm1", List.of("l1"), agent.ref()),
                new HelloAck(1, true, "", 42, 4, 10, 60, List.of(new HelloAck.Resume("l1", executor.ref(), 8)),
                        List.of("l0")),
                new HelloRequest(42),
                new IncarnationQuery(KIT.<IncarnationReply>createTestProbe().ref()),
                new IncarnationReply("pekko://ktest-ci@127.0.0.1:25520", -4_211_234_567_890L),
                new RunBatch("l1", 7, 0, 1, "linux", "0123456789abcdef0123456789abcdef01234567",
                        List.of(new RunBatch.Source("/srv/upstream", "main")), "", "demo/smoke.ktest", "",
                        Map.of("ktest_x", "1"), "x86_64",
                        List.of(new RunBatch.BatchSubtest("pass", "demo.smoke.pass", 30)), "demo.smoke", 1200,
                        executor.ref()),
                new RevokeLease("l1", 7, LeaseEndReason.LEASE_TIMEOUT),
                new HeartbeatAck("l1", 7, true, 3),
                new Ack("l1", 4),
                new Reject("l1", 7, 5, RejectReason.STALE_LEASE),
                new BatchAccepted("l1", 7),
                new BatchRefused("l1", 7, RefusalReason.SLOT_BUSY),
                new LeaseHeartbeat("l1", 7, 0, "demo.smoke.pass", 1, 12, agent.ref()),
                new SubtestStarted("l1", 7, 1, "demo.smoke.pass", 1, 1000L),
                new SubtestFinished("l1", 7, 2, "demo.smoke.pass", "========= PASSED pass in 0s", "PASSED", 0,
                        1000L, 1200L, 1, "demo.smoke.pass", "runner=host"),
                new BatchFinished("l1", 7, 4, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "",
                        List.of(new BatchFinished.Unreached("demo.smoke.x", LeaseEndReason.SUBTEST_NOT_FOUND)),
                        List.of(new BatchFinished.Iteration("host", "x86_64", 3, IterationOutcome.SUCCESS))));
        for (Object m : messages) {
            assertEquals(m, roundTrip(m), m.getClass().getSimpleName());
        }
    }

    @Test
    void logChunkKeepsItsBytesAsACborByteString() {
        byte[] data = {0, 1, 2, (byte) 0xff};
        LogChunk in = new LogChunk("l1", 7, 3, LogChunk.KIND_LOG, "demo.smoke.pass", 1, 0, 4, data, true);
        LogChunk out = (LogChunk) roundTrip(in);
        assertArrayEquals(data, out.data());
        assertEquals(in.totalSize(), out.totalSize());
        assertEquals(in.eof(), out.eof());
    }
}
