package org.ktestci.protocol;

/** Messages the coordinator sends to a worker-agent (its {@code WorkerAgent} actor). */
public interface AgentMessage extends CborSerializable {
}
