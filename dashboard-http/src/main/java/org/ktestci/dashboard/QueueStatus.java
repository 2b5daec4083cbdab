package org.ktestci.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job window as {@code /api/v1/queue} shows it (http.md §5.6). {@code recentCompleted} and
 * {@code recentFailed} count verdicts of the last hour; {@code configErrors} are the problems of an edited
 * config file that was rejected (config.md §1), empty while the file is valid.
 */
public record QueueStatus(int window, int refillAt, int pending, int leased, Optional<Refill> lastRefill,
                          Map<String, Integer> pendingByBranch, Map<String, Integer> leasedByBranch,
                          Map<String, Double> fairshare, Map<String, Integer> unschedulable, long recentCompleted,
                          long recentFailed, List<ListingError> listingErrors, List<String> configErrors,
                          List<String> quarantinedHosts) {

    /** {@code removed} by reason: {@code left_branches}, {@code displaced}, {@code not_desired}. */
    public record Refill(Instant at, String trigger, int desired, int added, Map<String, Integer> removed,
                         long durationMs) {}

    /** A test file whose {@code list-tests} failed or listed nothing at the last try. */
    public record ListingError(String test, String error, Instant at) {}
}
