package org.ktestci.dashboard;

/**
 * Thrown by a {@link CiQueries} implementation when the coordinator cannot answer in time (the singleton is
 * unreachable or an ask timed out); the dashboard answers 503 with this message (http.md §9).
 */
public final class CiUnavailable extends RuntimeException {
    public CiUnavailable(String message) {
        super(message);
    }

    public CiUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
