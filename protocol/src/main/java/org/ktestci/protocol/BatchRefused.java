package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A slot cannot take a batch: {@code stale_epoch}, {@code slot_busy}, {@code bad_slot}, {@code bad_batch} or {@code draining}. */
public record BatchRefused(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("reason") String reason) implements LeaseMessage {
}
