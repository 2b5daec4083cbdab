package org.ktestci.schema.json;

import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ktest's JSON shapes (http.md §3), shared by the dashboard's {@code format=json} views and {@code ci-status
 * --json} so both always print the same documents.
 */
public final class KtestJson {
    private KtestJson() {
    }

    /** {@code {"commit", "message", "tests": [{"name", "status" (display string), "duration"}]}}. */
    public static Map<String, Object> commit(String sha, String message, List<ResultEntry> entries) {
        return commit(sha, message, entries, Map.of());
    }

    /**
     * The same, with a {@code reason} object ({@link FailureReason#toJson()}) on each Failed to run test whose
     * reason is known (issue 14); other tests keep ktest's three fields.
     */
    public static Map<String, Object> commit(String sha, String message, List<ResultEntry> entries,
                                             Map<String, FailureReason> reasons) {
        List<Map<String, Object>> tests = new ArrayList<>();
        for (ResultEntry e : entries) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("status", e.status().display());
            t.put("duration", e.duration());
            FailureReason r = e.status() == Status.FAILED_TO_RUN ? reasons.get(e.name()) : null;
            if (r != null) {
                t.put("reason", r.toJson());
            }
            tests.add(t);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commit", sha);
        out.put("message", message);
        out.put("tests", tests);
        return out;
    }

    /** One branch-log entry: counts per status and summed duration of the (matching) entries. */
    public static Map<String, Object> branchEntry(String sha, String message, List<ResultEntry> entries) {
        int[] c = new int[Status.values().length];
        long duration = 0;
        for (ResultEntry e : entries) {
            c[e.status().ordinal()]++;
            duration += e.duration();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commit", sha);
        m.put("message", message);
        m.put("passed", c[Status.PASSED.ordinal()]);
        m.put("failed", c[Status.FAILED.ordinal()]);
        m.put("notrun", c[Status.NOTRUN.ordinal()]);
        m.put("failed_to_run", c[Status.FAILED_TO_RUN.ordinal()]);
        m.put("inprogress", c[Status.INPROGRESS.ordinal()]);
        m.put("unknown", c[Status.UNKNOWN.ordinal()]);
        m.put("duration", duration);
        return m;
    }
}
