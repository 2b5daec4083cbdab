package org.ktestci.protocol;

/**
 * Messages the coordinator sends to a worker-agent. Sealed: an actor's own commands never implement a wire
 * interface, so a cluster member cannot have them deserialized (security.md, "Cluster protocol").
 */
public sealed interface AgentMessage extends CborSerializable
        permits Ack, HeartbeatAck, HelloAck, HelloRequest, Reject, RevokeLease, RunBatch {
}
