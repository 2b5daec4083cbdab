package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Graceful shutdown of a worker: its leases end as {@code worker_shutdown}, not counted as failures. */
public record WorkerGoodbye(@JsonProperty("host") String host,
                            @JsonProperty("leases") List<String> leases) implements GatewayMessage {
}
