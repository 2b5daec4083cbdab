package org.ktestci.worker.agent;

/** What a worker-agent announces about its host in every {@code WorkerHello}. */
public record AgentIdentity(String host, String arch, int slots, String runner, String agentVersion,
                            String ktestRevision, boolean kvm, long memoryMib, int cpus) {
}
