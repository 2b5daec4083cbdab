package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A message the coordinator refused: for a lease that is not current ({@code stale_lease}), or one with a field
 * out of its rules ({@code malformed}). The worker drops what it holds for that lease.
 */
public record Reject(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                     @JsonProperty("seq") long seq, @JsonProperty("reason") String reason) implements AgentMessage {
    public static final String STALE_LEASE = "stale_lease";
    /** A heartbeat whose reply address is not on the lease's host. */
    public static final String WRONG_HOST = "wrong_host";
    public static final String MALFORMED = "malformed";
}
