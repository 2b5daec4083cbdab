package org.ktestci.protocol;

import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Messages a worker-agent sends to the coordinator's {@code WorkerGateway}. */
public sealed interface GatewayMessage extends CborSerializable permits WorkerHello, WorkerGoodbye {
    /** The Receptionist key under which the active gateway registers (protocol.md §1). */
    ServiceKey<GatewayMessage> SERVICE_KEY = ServiceKey.create(GatewayMessage.class, "ktest-ci-gateway");
}
