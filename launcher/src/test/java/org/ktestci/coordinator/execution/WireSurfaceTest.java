package org.ktestci.coordinator.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cluster member can address any actor by path and send it any class the jackson-cbor serializer accepts. So
 * the actors' own commands (admin revoke, a host gone, a lease resumed elsewhere, a durable write) must not be
 * deserializable from the wire: only the protocol's records are.
 */
class WireSurfaceTest {
    private static final ActorTestKit KIT = ActorTestKit.create("WireSurfaceTest");
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    /** Pekko's id of the jackson-cbor serializer (reference.conf). */
    private static final int JACKSON_CBOR = 33;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Internal commands a hostile member would forge, with the fields that make them harmful. */
    static final Map<String, Map<String, Object>> FORGED = new LinkedHashMap<>();

    static {
        FORGED.put("org.ktestci.coordinator.execution.WorkerGateway$AdminRevoke", Map.of("leaseId", "l1"));
        FORGED.put("org.ktestci.coordinator.execution.WorkerGateway$GetWorkers", Map.of());
        FORGED.put("org.ktestci.coordinator.execution.Executor$HostDown",
                Map.of("reason", "worker_shutdown", "downId", "x"));
        FORGED.put("org.ktestci.coordinator.execution.Executor$Revoke", Map.of("leaseId", "l1"));
        FORGED.put("org.ktestci.coordinator.scheduling.BatchOffer", Map.of());
        FORGED.put("org.ktestci.worker.agent.SlotRunner$ResumeLease", Map.of("leaseId", "l1", "expectedSeq", 1));
        FORGED.put("org.ktestci.worker.agent.SlotRunner$AbandonLease", Map.of("leaseId", "l1"));
    }

    @Test
    void theActorsOwnCommandsCannotBeDeserializedFromTheWire() throws Exception {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        TestProbe<Object> attacker = KIT.createTestProbe();
        String replyTo = Serialization.serializedActorPath(Adapter.toClassic(attacker.ref()));
        List<String> accepted = new java.util.ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : FORGED.entrySet()) {
            Class.forName(e.getKey()); // the command exists under this name
            Map<String, Object> fields = new LinkedHashMap<>(e.getValue());
            fields.put("replyTo", replyTo);
            byte[] bytes = CBOR.writeValueAsBytes(fields);
            if (serialization.deserialize(bytes, JACKSON_CBOR, e.getKey()).isSuccess()) {
                accepted.add(e.getKey());
            }
        }
        assertTrue(accepted.isEmpty(), "deserializable from the wire: " + accepted);
    }

    @Test
    void theProtocolsRecordsStillAre() throws Exception {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        byte[] bytes = CBOR.writeValueAsBytes(Map.of("leaseId", "l1", "epoch", 3));
        if (serialization.deserialize(bytes, JACKSON_CBOR, "org.ktestci.protocol.BatchAccepted").isFailure()) {
            fail("BatchAccepted must stay a wire message");
        }
    }
}
