package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Cumulative acknowledgement of a lease's reliable messages up to {@code ackedSeq} (protocol.md §4.1). */
public record Ack(@JsonProperty("leaseId") String leaseId, @JsonProperty("ackedSeq") long ackedSeq)
        implements AgentMessage {
}
