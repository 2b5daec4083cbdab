package org.ktestci.coordinator.results;

import org.ktestci.schema.status.Status;

/** Told by the {@link ResultsStore}'s entities of every verdict recorded and every duplicate refused (metrics). */
public interface VerdictListener {
    VerdictListener NONE = new VerdictListener() {
    };

    default void recorded(Status status) {
    }

    /** The same verdict with where and when it was received (the verdict → visible latency starts here). */
    default void recorded(String sha, String key, Status status, long receivedAtMillis) {
    }

    default void duplicate() {
    }

    /** A commit's entity was quarantined; {@code count} are quarantined now. */
    default void quarantined(int count) {
    }
}
