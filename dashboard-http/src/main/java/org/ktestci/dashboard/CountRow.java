package org.ktestci.dashboard;

import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.List;

/** Per-status counts of one commit's (matching) results: the branch views' row and JSON object. */
record CountRow(int passed, int failed, int notrun, int failedToRun, int inprogress, int unknown, long duration) {
    static CountRow of(List<ResultEntry> entries) {
        int[] c = new int[Status.values().length];
        long d = 0;
        for (ResultEntry e : entries) {
            c[e.status().ordinal()]++;
            d += e.duration();
        }
        return new CountRow(c[Status.PASSED.ordinal()], c[Status.FAILED.ordinal()], c[Status.NOTRUN.ordinal()],
                c[Status.FAILED_TO_RUN.ordinal()], c[Status.INPROGRESS.ordinal()], c[Status.UNKNOWN.ordinal()], d);
    }

    int total() {
        return passed + failed + notrun + failedToRun + inprogress + unknown;
    }
}
