package org.ktestci.worker.agent;

/**
 * What a worker-agent announces about its host in every {@code WorkerHello}, except the KVM decision, which a probe
 * makes after the agent starts ({@link WorkerAgent#create}).
 */
public record AgentIdentity(String host, String arch, int slots, String runner, String agentVersion,
                            String ktestRevision, long memoryMib, int cpus) {
}
