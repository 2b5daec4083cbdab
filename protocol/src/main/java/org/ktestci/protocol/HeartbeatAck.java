package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Reply to a heartbeat; {@code valid = false} tells the worker its lease is gone and it must abort the run. */
public record HeartbeatAck(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("valid") boolean valid) implements AgentMessage {
}
