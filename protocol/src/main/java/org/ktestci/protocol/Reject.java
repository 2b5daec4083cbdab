package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A message for a lease that is not current ({@code stale_lease}): the worker drops what it holds for it. */
public record Reject(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                     @JsonProperty("seq") long seq, @JsonProperty("reason") String reason) implements AgentMessage {
}
