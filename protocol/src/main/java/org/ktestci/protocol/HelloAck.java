package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The gateway's answer to {@link WorkerHello}: accepted or not, and the slot count the worker must run. */
public record HelloAck(
        @JsonProperty("protocolVersion") int protocolVersion,
        @JsonProperty("accepted") boolean accepted,
        @JsonProperty("reason") String reason,
        @JsonProperty("incarnation") int incarnation,
        @JsonProperty("slots") int slots,
        @JsonProperty("heartbeatIntervalSecs") int heartbeatIntervalSecs,
        @JsonProperty("leaseTimeoutSecs") int leaseTimeoutSecs) implements AgentMessage {
}
