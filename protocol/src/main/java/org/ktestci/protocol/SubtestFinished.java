package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A subtest closed: its verdict line, or {@code TEST FAILED} when it was closed without one. {@code status}
 * is the worker's parse; the coordinator re-parses {@code statusLine} and trusts its own result. {@code run}
 * says how to reproduce the run that produced it (for VMs: qemu command line, kernel, initramfs digest).
 */
public record SubtestFinished(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                              @JsonProperty("seq") long seq, @JsonProperty("resultKey") String resultKey,
                              @JsonProperty("statusLine") String statusLine, @JsonProperty("status") String status,
                              @JsonProperty("durationSecs") int durationSecs,
                              @JsonProperty("startedAt") long startedAt, @JsonProperty("finishedAt") long finishedAt,
                              @JsonProperty("iteration") int iteration,
                              @JsonProperty("fullLogKey") String fullLogKey,
                              @JsonProperty("run") String run) implements ReliableMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.subtestFinished(this);
    }
}
