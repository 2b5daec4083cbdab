package org.ktestci.worker.agent;

/**
 * What a running batch reports to its slot: posted from the batch's thread to the slot's actor
 * ({@link RunReporter}), which numbers the reliable ones and sends them to the lease's executor
 * ({@link LeaseOutbox}). Plain data, never sent over the wire.
 */
sealed interface RunEvent {
    /** The supervisor saw a subtest's {@code TEST} line. */
    record Began(String resultKey, int iteration, long atMillis) implements RunEvent {}

    /** A subtest closed, with its verdict line or without one ({@code TEST FAILED}). */
    record Verdict(String resultKey, String statusLine, String status, int durationSecs, long startedAtMillis,
                   long finishedAtMillis, int iteration, String fullLogKey) implements RunEvent {}

    /** One chunk of a Brotli log artifact (protocol.md §4.3), at most {@code LogChunk.MAX_CHUNK_BYTES}. */
    record ArtifactPart(String resultKey, String kind, int iteration, long offset, long totalSize, byte[] data,
                        boolean eof) implements RunEvent {}

    /** How the coming iteration's runner is started; attached to the verdicts that follow. */
    record Runner(int iteration, String info) implements RunEvent {}

    /** A console line for live viewers. */
    record Console(String line) implements RunEvent {}
}
