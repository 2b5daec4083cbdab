package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A slot cannot take a batch: {@code stale_epoch}, {@code slot_busy}, {@code bad_slot}, {@code bad_batch} (a field
 * out of its rules) or {@code draining}.
 */
public record BatchRefused(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("reason") String reason) implements LeaseMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.batchRefused(this);
    }

    public static final String STALE_EPOCH = "stale_epoch";
    public static final String SLOT_BUSY = "slot_busy";
    public static final String BAD_SLOT = "bad_slot";
    public static final String BAD_BATCH = "bad_batch";
    public static final String DRAINING = "draining";
}
