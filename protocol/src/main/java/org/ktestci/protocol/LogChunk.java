package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Bytes of a Brotli log artifact ({@code log} / {@code full_log}), at most {@link #MAX_CHUNK_BYTES} each so a
 * chunk stays under Artery's frame size; the last one has {@code eof}.
 */
public record LogChunk(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                       @JsonProperty("seq") long seq, @JsonProperty("kind") String kind,
                       @JsonProperty("resultKey") String resultKey, @JsonProperty("iteration") int iteration,
                       @JsonProperty("offset") long offset, @JsonProperty("totalSize") long totalSize,
                       @JsonProperty("data") byte[] data, @JsonProperty("eof") boolean eof) implements ReliableMessage {
    @Override
    public <R> R accept(Handler<R> handler) {
        return handler.logChunk(this);
    }

    public static final int MAX_CHUNK_BYTES = 192 * 1024;
    public static final String KIND_LOG = "log";
    public static final String KIND_FULL_LOG = "full_log";
    /** Console lines for live viewers: best effort, {@code seq = 0}, never acknowledged. */
    public static final String KIND_LIVE = "live";

    public boolean reliable() {
        return !KIND_LIVE.equals(kind);
    }
}
