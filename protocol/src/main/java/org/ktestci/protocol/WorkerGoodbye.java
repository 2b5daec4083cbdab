package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * Graceful shutdown of a worker: its leases end as {@code worker_shutdown}, not counted as failures.
 * {@code agent} is the ref the worker's hello announced; the gateway takes a goodbye only with it, so no other
 * member can remove the host. (Added within protocol version 1: a goodbye without it is refused and the host
 * ends when its member leaves, as {@code member_down}.)
 */
public record WorkerGoodbye(@JsonProperty("host") String host,
                            @JsonProperty("leases") List<String> leases,
                            @JsonProperty("agent") ActorRef<AgentMessage> agent) implements GatewayMessage {
}
