package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * The gateway's answer to {@link WorkerHello}: accepted or not, the slot count the worker must run, and for the
 * hello's active leases which to resume (with the executor that now owns each and the next sequence number it
 * expects) and which to abandon (protocol.md §3).
 */
public record HelloAck(
        @JsonProperty("protocolVersion") int protocolVersion,
        @JsonProperty("accepted") boolean accepted,
        @JsonProperty("reason") String reason,
        @JsonProperty("incarnation") int incarnation,
        @JsonProperty("slots") int slots,
        @JsonProperty("heartbeatIntervalSecs") int heartbeatIntervalSecs,
        @JsonProperty("leaseTimeoutSecs") int leaseTimeoutSecs,
        @JsonProperty("resume") List<Resume> resume,
        @JsonProperty("abandon") List<String> abandon) implements AgentMessage {

    public HelloAck {
        resume = resume == null ? List.of() : List.copyOf(resume);
        abandon = abandon == null ? List.of() : List.copyOf(abandon);
    }

    public static HelloAck refused(int incarnation, String reason) {
        return new HelloAck(ProtocolVersion.CURRENT, false, reason, incarnation, 0, 0, 0, List.of(), List.of());
    }

    public record Resume(@JsonProperty("leaseId") String leaseId,
                         @JsonProperty("executor") ActorRef<ExecutorMessage> executor,
                         @JsonProperty("expectedSeq") long expectedSeq) {
    }
}
