package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The batch ended on the worker: {@code COMPLETED}, {@code INFRA_FAILURE} or {@code ARCH_MISMATCH}. */
public record BatchFinished(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                            @JsonProperty("seq") long seq, @JsonProperty("outcome") String outcome,
                            @JsonProperty("reason") String reason, @JsonProperty("declaredArch") String declaredArch,
                            @JsonProperty("unreached") List<Unreached> unreached,
                            @JsonProperty("iterations") List<Iteration> iterations) implements ReliableMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.batchFinished(this);
    }

    public static final String COMPLETED = "COMPLETED";
    public static final String INFRA_FAILURE = "INFRA_FAILURE";
    public static final String ARCH_MISMATCH = "ARCH_MISMATCH";

    public record Unreached(@JsonProperty("resultKey") String resultKey, @JsonProperty("reason") String reason) {
    }

    public record Iteration(@JsonProperty("runner") String runner, @JsonProperty("arch") String arch,
                            @JsonProperty("seconds") long seconds, @JsonProperty("outcome") String outcome) {
    }
}
