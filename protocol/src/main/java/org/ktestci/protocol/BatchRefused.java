package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A slot cannot take a batch, for one of the {@link RefusalReason}s. */
public record BatchRefused(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("reason") RefusalReason reason) implements LeaseMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.batchRefused(this);
    }
}
