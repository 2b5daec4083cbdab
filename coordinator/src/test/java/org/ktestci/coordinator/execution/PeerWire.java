package org.ktestci.coordinator.execution;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.CborSerializable;

import java.util.List;

/**
 * Worker messages as a peer writes them on the wire, with any string where this release has an enum, decoded
 * by the real jackson-cbor serializer into the messages an executor receives (protocol.md §5).
 */
final class PeerWire {
    record Finished(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                    @JsonProperty("seq") long seq, @JsonProperty("outcome") String outcome,
                    @JsonProperty("reason") String reason, @JsonProperty("declaredArch") String declaredArch,
                    @JsonProperty("unreached") List<Unreached> unreached,
                    @JsonProperty("iterations") List<Iteration> iterations) implements CborSerializable {
    }

    record Unreached(@JsonProperty("resultKey") String resultKey, @JsonProperty("reason") String reason) {
    }

    record Iteration(@JsonProperty("runner") String runner, @JsonProperty("arch") String arch,
                     @JsonProperty("seconds") long seconds, @JsonProperty("outcome") String outcome) {
    }

    record Refused(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                   @JsonProperty("reason") String reason) implements CborSerializable {
    }

    private PeerWire() {
    }

    /** A {@code BatchFinished} of one unreached key and one iteration, with these strings. */
    static BatchFinished finished(ActorSystem<?> system, String lease, long epoch, long seq, String outcome,
                                  String reason, String unreachedReason, String iterationOutcome) {
        return decode(system, new Finished(lease, epoch, seq, outcome, reason, "",
                List.of(new Unreached("t.b", unreachedReason)),
                List.of(new Iteration("host", "x86_64", 3, iterationOutcome))), BatchFinished.class);
    }

    static BatchRefused refused(ActorSystem<?> system, String lease, long epoch, String reason) {
        return decode(system, new Refused(lease, epoch, reason), BatchRefused.class);
    }

    private static <T> T decode(ActorSystem<?> system, Object peerMessage, Class<T> as) {
        Serialization s = SerializationExtension.get(Adapter.toClassic(system));
        byte[] bytes = s.serialize(peerMessage).get();
        return as.cast(s.deserialize(bytes, s.findSerializerFor(peerMessage).identifier(), as.getName()).get());
    }
}
