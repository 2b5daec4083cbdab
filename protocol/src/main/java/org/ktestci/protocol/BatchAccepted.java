package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

public record BatchAccepted(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch)
        implements LeaseMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.batchAccepted(this);
    }
}
