package org.ktestci.dashboard;

import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which of a commit's rows its page shows (issue 15 item 5): the rows of one status filter ({@code show}), a page
 * of at most {@link #PAGE_SIZE} of them at a time ({@code page}, from 1), in byte order of their keys. A 13,000-result
 * commit's page then leads with its failures and never holds all 13,000 rows; the passes are a filter away.
 */
final class CommitRows {
    /** Small enough for a browser to show the page at once on a busy machine; commit.js adds pages as one scrolls. */
    static final int PAGE_SIZE = 100;

    /** The status filters, in the order the page offers them; {@link #FAILURES} is the default. */
    enum Show {
        FAILURES("failures", "Failures"),
        PASSED("passed", "Passed"),
        FAILED("failed", "Failed"),
        NOTRUN("notrun", "Not run"),
        FAILED_TO_RUN("failedToRun", "Failed to run"),
        INPROGRESS("inprogress", "In progress"),
        UNKNOWN("unknown", "Unknown"),
        ALL("all", "All");

        final String value;
        final String label;

        Show(String value, String label) {
            this.value = value;
            this.label = label;
        }

        boolean accepts(Status s) {
            return switch (this) {
                case FAILURES -> s == Status.FAILED || s == Status.FAILED_TO_RUN;
                case ALL -> true;
                default -> s.jsonCode().equals(value);
            };
        }

        /** {@code show=…}: absent means failures, or all when the request searches by {@code test}. */
        static Show of(Optional<String> value, boolean searching) {
            if (value.isEmpty() || value.get().isEmpty()) {
                return searching ? ALL : FAILURES;
            }
            for (Show s : values()) {
                if (s.value.equals(value.get())) {
                    return s;
                }
            }
            throw HttpError.badRequest("invalid show: " + value.get() + " (one of " + String.join(", ",
                    Arrays.stream(values()).map(s -> s.value).toList()) + ")");
        }
    }

    final Show show;
    /** The page shown, from 1; a page beyond the last shows the last. */
    final int page;
    final int pages;
    /** How many rows the filter holds in all, and how many each filter would hold. */
    final int total;
    final Map<Show, Integer> counts;
    /** This page's rows, and the keys just outside it (empty at either end). */
    final List<ResultEntry> rows;
    final Optional<String> before;
    final Optional<String> after;

    private CommitRows(Show show, int page, int pages, int total, Map<Show, Integer> counts, List<ResultEntry> rows,
                       Optional<String> before, Optional<String> after) {
        this.show = show;
        this.page = page;
        this.pages = pages;
        this.total = total;
        this.counts = counts;
        this.rows = rows;
        this.before = before;
        this.after = after;
    }

    /** {@code page=…}: a positive number; absent means 1. */
    static int pageParam(Optional<String> value) {
        if (value.isEmpty() || value.get().isEmpty()) {
            return 1;
        }
        try {
            int p = Integer.parseInt(value.get());
            if (p >= 1) {
                return p;
            }
        } catch (NumberFormatException e) {
            // the error below says what is wanted
        }
        throw HttpError.badRequest("invalid page: " + value.get() + " (a number from 1)");
    }

    /** {@code entries} in byte order of their keys. */
    static CommitRows of(List<ResultEntry> entries, Show show, int wantedPage) {
        Map<Show, Integer> counts = new EnumMap<>(Show.class);
        for (Show s : Show.values()) {
            counts.put(s, 0);
        }
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Status st = entries.get(i).status();
            for (Show s : Show.values()) {
                if (s.accepts(st)) {
                    counts.merge(s, 1, Integer::sum);
                }
            }
            if (show.accepts(st)) {
                matching.add(i);
            }
        }
        int total = matching.size();
        int pages = Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
        int page = Math.min(wantedPage, pages);
        int from = (page - 1) * PAGE_SIZE;
        int to = Math.min(total, from + PAGE_SIZE);
        List<ResultEntry> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            rows.add(entries.get(matching.get(i)));
        }
        Optional<String> before = from > 0 ? Optional.of(entries.get(matching.get(from - 1)).name()) : Optional.empty();
        Optional<String> after = to < total ? Optional.of(entries.get(matching.get(to)).name()) : Optional.empty();
        return new CommitRows(show, page, pages, total, counts, rows, before, after);
    }

    /** "rows 501–1000 of 11,700". */
    String range() {
        int from = (page - 1) * PAGE_SIZE;
        return String.format(Locale.ROOT, "rows %,d–%,d of %,d", from + 1, from + rows.size(), total);
    }
}
