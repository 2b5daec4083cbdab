package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply to a heartbeat; {@code valid = false} tells the worker its lease is gone and it must abort the run.
 * {@code ackedSeq} repeats the cumulative acknowledgement of the lease's reliable messages.
 */
public record HeartbeatAck(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("valid") boolean valid, @JsonProperty("ackedSeq") long ackedSeq)
        implements AgentMessage {
}
