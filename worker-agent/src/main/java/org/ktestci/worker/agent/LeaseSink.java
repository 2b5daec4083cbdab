package org.ktestci.worker.agent;

/**
 * Where a running batch reports what happens, from the batch's own thread. The slot runner's implementation
 * ({@link RunReporter}) posts each report to the slot's actor, which turns it into a fenced protocol message to the
 * lease's executor.
 */
public interface LeaseSink {
    void subtestStarted(String resultKey, int iteration, long atMillis);

    void subtestFinished(String resultKey, String statusLine, String status, int durationSecs, long startedAtMillis,
                         long finishedAtMillis, int iteration, String fullLogKey);

    /** A Brotli log artifact ({@code log} or {@code full_log}) of one iteration. */
    void artifact(String resultKey, String kind, int iteration, byte[] brotli);

    /** How the coming iteration's runner is started, attached to the verdicts it produces. */
    default void runInfo(int iteration, String info) {
    }

    /** A console line for live viewers (never stored by the coordinator). */
    default void consoleLine(String line) {
    }

    /** Free-form progress for the agent log. */
    void note(String line);
}
