package org.ktestci.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One tracked branch as the dashboard lists it. {@code fetch} has any URL password already masked. */
public record BranchSummary(String name, String repo, String fetch, List<String> testGroups,
                            Optional<String> tip, Optional<String> tipSubject,
                            Optional<Instant> lastFetch, Optional<String> lastFetchError) {
}
