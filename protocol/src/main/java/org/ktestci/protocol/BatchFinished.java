package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The batch ended on the worker: {@code COMPLETED}, {@code INFRA_FAILURE} (with its {@code reason}) or
 * {@code ARCH_MISMATCH} (with the {@code declaredArch}).
 */
public record BatchFinished(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                            @JsonProperty("seq") long seq, @JsonProperty("outcome") BatchOutcome outcome,
                            @JsonProperty("reason") LeaseEndReason reason,
                            @JsonProperty("declaredArch") String declaredArch,
                            @JsonProperty("unreached") List<Unreached> unreached,
                            @JsonProperty("iterations") List<Iteration> iterations) implements ReliableMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.batchFinished(this);
    }

    public record Unreached(@JsonProperty("resultKey") String resultKey,
                            @JsonProperty("reason") LeaseEndReason reason) {
    }

    public record Iteration(@JsonProperty("runner") String runner, @JsonProperty("arch") String arch,
                            @JsonProperty("seconds") long seconds, @JsonProperty("outcome") IterationOutcome outcome) {
    }
}
