package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

/** Sent every heartbeat interval per running lease; renews it. */
public record LeaseHeartbeat(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                             @JsonProperty("slot") int slot, @JsonProperty("currentKey") String currentKey,
                             @JsonProperty("iteration") int iteration, @JsonProperty("elapsedSecs") long elapsedSecs,
                             @JsonProperty("replyTo") ActorRef<AgentMessage> replyTo) implements LeaseMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.heartbeat(this);
    }
}
