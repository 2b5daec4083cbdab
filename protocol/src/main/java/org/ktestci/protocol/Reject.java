package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A message the coordinator refused: for a lease that is not current ({@code stale_lease}), a heartbeat from
 * another host ({@code wrong_host}), or one with a field out of its rules ({@code malformed}).
 */
public record Reject(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                     @JsonProperty("seq") long seq, @JsonProperty("reason") RejectReason reason)
        implements AgentMessage {
}
