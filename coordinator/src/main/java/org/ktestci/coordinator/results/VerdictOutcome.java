package org.ktestci.coordinator.results;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

import java.util.Locale;

/**
 * The answer to a {@link ResultsStore.Verdict} or {@link ResultsStore.Observe}, once it is durable or refused;
 * {@code token} is the request's, so a caller can answer through one message adapter instead of an ask per verdict.
 */
public record VerdictOutcome(String sha, String key, Result result, long token)
        implements NoSerializationVerificationNeeded {

    public enum Result {
        /** In the journal. */
        RECORDED,
        /** The key already has its verdict (or that observation): the first one stands (storage.md §7.1). */
        DUPLICATE,
        /** The key is not In progress under that lease (or, for a re-run, has no verdict yet). */
        NOT_CLAIMED;

        /** As logged: {@code recorded}, {@code duplicate}, {@code not_claimed}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
