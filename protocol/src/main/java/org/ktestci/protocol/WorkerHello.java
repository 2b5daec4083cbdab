package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * A worker-agent announces itself (on join, on gateway change, every 60 s until acknowledged). {@code kvm} is the
 * decision of the probe the agent ran at start, {@code kvmReason} why (README decision 13).
 */
public record WorkerHello(
        @JsonProperty("protocolVersion") int protocolVersion,
        @JsonProperty("host") String host,
        @JsonProperty("arch") String arch,
        @JsonProperty("slots") int slots,
        @JsonProperty("agentVersion") String agentVersion,
        @JsonProperty("ktestRevision") String ktestRevision,
        @JsonProperty("runner") String runner,
        @JsonProperty("kvm") boolean kvm,
        @JsonProperty("kvmReason") String kvmReason,
        @JsonProperty("memoryMib") long memoryMib,
        @JsonProperty("cpus") int cpus,
        @JsonProperty("activeLeases") List<ActiveLease> activeLeases,
        @JsonProperty("agent") ActorRef<AgentMessage> agent) implements GatewayMessage {

    /** A batch the worker is running or still has unacknowledged results of (for resumption after failover). */
    public record ActiveLease(@JsonProperty("slot") int slot, @JsonProperty("leaseId") String leaseId,
                              @JsonProperty("epoch") long epoch, @JsonProperty("lastSentSeq") long lastSentSeq,
                              @JsonProperty("lastAckedSeq") long lastAckedSeq) {
    }
}
