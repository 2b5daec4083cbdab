package org.ktestci.worker.console;

/** Subtest events, delivered on the supervisor's thread in console order. */
public interface SupervisorListener {
    void started(String resultKey, long atMillis);

    void finished(String resultKey, String statusLine, int durationSecs, long startedAtMillis, long finishedAtMillis);

    /** Every line the console log gets, with its elapsed-seconds prefix, for live viewers. */
    default void consoleLine(String line) {
    }
}
