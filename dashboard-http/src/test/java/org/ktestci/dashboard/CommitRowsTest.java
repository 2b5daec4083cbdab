package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which rows a commit page shows: one filter's, a page at a time, and how many each filter holds. */
class CommitRowsTest {
    private static List<ResultEntry> entries(int n) {
        List<ResultEntry> out = new ArrayList<>();
        Status[] cycle = {Status.PASSED, Status.PASSED, Status.FAILED, Status.FAILED_TO_RUN, Status.NOTRUN};
        for (int i = 0; i < n; i++) {
            out.add(new ResultEntry(String.format("k.%05d", i), cycle[i % cycle.length], 1, 0));
        }
        return out;
    }

    @Test
    void failuresAreFailedAndFailedToRunAndEveryFilterIsCounted() {
        CommitRows r = CommitRows.of(entries(10), CommitRows.Show.FAILURES, 1);
        assertEquals(List.of("k.00002", "k.00003", "k.00007", "k.00008"), r.rows.stream().map(ResultEntry::name).toList());
        assertEquals(4, r.counts.get(CommitRows.Show.FAILURES));
        assertEquals(4, r.counts.get(CommitRows.Show.PASSED));
        assertEquals(2, r.counts.get(CommitRows.Show.FAILED));
        assertEquals(2, r.counts.get(CommitRows.Show.NOTRUN));
        assertEquals(0, r.counts.get(CommitRows.Show.UNKNOWN));
        assertEquals(10, r.counts.get(CommitRows.Show.ALL));
        assertEquals(1, r.pages);
        assertEquals(Optional.empty(), r.before);
        assertEquals(Optional.empty(), r.after);
    }

    @Test
    void pagesHoldAtMostPageSizeRowsAndNameTheirNeighbours() {
        List<ResultEntry> all = entries(2 * CommitRows.PAGE_SIZE + 7);
        CommitRows middle = CommitRows.of(all, CommitRows.Show.ALL, 2);
        assertEquals(3, middle.pages);
        assertEquals(CommitRows.PAGE_SIZE, middle.rows.size());
        assertEquals(all.get(CommitRows.PAGE_SIZE).name(), middle.rows.get(0).name());
        assertEquals(Optional.of(all.get(CommitRows.PAGE_SIZE - 1).name()), middle.before);
        assertEquals(Optional.of(all.get(2 * CommitRows.PAGE_SIZE).name()), middle.after);
        assertEquals("rows 101–200 of 207", middle.range());
        CommitRows beyond = CommitRows.of(all, CommitRows.Show.ALL, 40);
        assertEquals(3, beyond.page);
        assertEquals(7, beyond.rows.size());
        assertEquals(Optional.empty(), beyond.after);
        assertEquals(1, CommitRows.of(List.of(), CommitRows.Show.FAILURES, 5).page, "no rows: one empty page");
    }

    @Test
    void showAndPageParametersAreCheckedAndDefaultToFailuresOrAllWhenSearching() {
        assertEquals(CommitRows.Show.FAILURES, CommitRows.Show.of(Optional.empty(), false));
        assertEquals(CommitRows.Show.ALL, CommitRows.Show.of(Optional.empty(), true));
        assertEquals(CommitRows.Show.FAILED_TO_RUN, CommitRows.Show.of(Optional.of("failedToRun"), true));
        assertEquals(400, assertThrows(HttpError.class, () -> CommitRows.Show.of(Optional.of("Failed"), false))
                .status());
        assertEquals(1, CommitRows.pageParam(Optional.empty()));
        assertEquals(12, CommitRows.pageParam(Optional.of("12")));
        for (String bad : List.of("0", "-1", "x", "99999999999")) {
            assertEquals(400, assertThrows(HttpError.class, () -> CommitRows.pageParam(Optional.of(bad))).status());
        }
    }
}
