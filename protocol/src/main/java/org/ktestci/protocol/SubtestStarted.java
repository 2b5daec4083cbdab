package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The supervisor saw a subtest's {@code TEST} line. */
public record SubtestStarted(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                             @JsonProperty("seq") long seq, @JsonProperty("resultKey") String resultKey,
                             @JsonProperty("iteration") int iteration, @JsonProperty("at") long at)
        implements ReliableMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.subtestStarted(this);
    }
}
