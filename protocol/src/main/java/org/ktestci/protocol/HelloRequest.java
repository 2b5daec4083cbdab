package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The gateway asks a worker to say hello again (it became reachable again, or the gateway has no record of it);
 * the worker answers with a {@link WorkerHello} listing its active leases.
 */
public record HelloRequest(@JsonProperty("incarnation") int incarnation) implements AgentMessage {
}
