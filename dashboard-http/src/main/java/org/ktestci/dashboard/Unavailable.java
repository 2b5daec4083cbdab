package org.ktestci.dashboard;

import java.util.Map;

/**
 * A commit whose results the coordinator cannot read back from its journal (quarantined entity, storage.md §7.1):
 * its views answer 503 with a message that says so, rather than show results that can no longer change.
 */
final class Unavailable {
    static final String BADGE = " <span class=\"badge badge-unavailable\" title=\"results unavailable: the journal "
            + "cannot be read back for this commit\">unavailable</span>";

    private Unavailable() {
    }

    /** Throws 503 when {@code sha} is unavailable. */
    static void check(CiQueries queries, String sha) {
        String why = queries.unavailableCommits().get(sha);
        if (why != null) {
            throw HttpError.withDetails(503, "results of commit " + sha + " are unavailable: its journal entries "
                    + "cannot be read back (" + why + "); the coordinator quarantined them and runs without them "
                    + "until an operator repairs or removes them", Map.of("unavailable", true));
        }
    }
}
