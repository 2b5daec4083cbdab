package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;
import java.util.Map;

/** The coordinator leases a batch to one slot (protocol.md §2); re-sent until accepted or refused. */
public record RunBatch(
        @JsonProperty("leaseId") String leaseId,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("slot") int slot,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("repo") String repo,
        @JsonProperty("commit") String commit,
        @JsonProperty("sources") List<Source> sources,
        @JsonProperty("fallbackUrl") String fallbackUrl,
        @JsonProperty("test") String test,
        @JsonProperty("kernel") String kernel,
        @JsonProperty("env") Map<String, String> env,
        @JsonProperty("arch") String arch,
        @JsonProperty("subtests") List<BatchSubtest> subtests,
        @JsonProperty("basename") String basename,
        @JsonProperty("subtestTimeoutSecs") int subtestTimeoutSecs,
        @JsonProperty("executor") ActorRef<ExecutorMessage> executor) implements AgentMessage {

    /** A git source the worker fetches the commit from, tried in order. */
    public record Source(@JsonProperty("url") String url, @JsonProperty("ref") String ref) {
    }

    public record BatchSubtest(@JsonProperty("name") String name, @JsonProperty("resultKey") String resultKey,
                               @JsonProperty("costSecs") int costSecs) {
    }
}
