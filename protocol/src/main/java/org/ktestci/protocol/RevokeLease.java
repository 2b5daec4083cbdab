package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The coordinator withdraws a lease (expired, host down then back, admin); the worker kills that run. */
public record RevokeLease(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                          @JsonProperty("reason") LeaseEndReason reason) implements AgentMessage {
}
