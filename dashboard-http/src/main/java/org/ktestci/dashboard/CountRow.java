package org.ktestci.dashboard;

import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** ktest's branch JSON entry (http.md §3). */
    Map<String, Object> json(String commit, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commit", commit);
        m.put("message", message);
        m.put("passed", passed);
        m.put("failed", failed);
        m.put("notrun", notrun);
        m.put("failed_to_run", failedToRun);
        m.put("inprogress", inprogress);
        m.put("unknown", unknown);
        m.put("duration", duration);
        return m;
    }
}
