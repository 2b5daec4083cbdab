package org.ktestci.schema.results;

import org.ktestci.schema.status.Status;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A re-run of a result key at a commit that already had its verdict (issue 14, "re-runs are observations, not
 * verdicts"): number {@code n} (1, 2, …), its status, where it ran and when ({@code at}, unix seconds). It never
 * replaces the first verdict. Its run's full log is the one kept by {@code fullLogKey}, its batch's first subtest,
 * for that subtest's run {@code fullLogRerun} there (0: its verdict run); {@code null} in journals written before
 * these were added.
 */
public record Observation(int n, Status status, String statusLine, long duration, String host, int slot,
                          String leaseId, long at, String fullLogKey, int fullLogRerun) {

    public Observation(int n, Status status, String statusLine, long duration, String host, int slot,
                       String leaseId, long at) {
        this(n, status, statusLine, duration, host, slot, leaseId, at, null, 0);
    }

    /** Flaky: the first verdict failed and at least one re-run passed. */
    public static boolean flaky(Status first, List<Observation> observations) {
        return first == Status.FAILED && observations.stream().anyMatch(o -> o.status() == Status.PASSED);
    }

    public static long passed(List<Observation> observations) {
        return observations.stream().filter(o -> o.status() == Status.PASSED).count();
    }

    /** {@code /api/v1} form. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("status", status.jsonCode());
        m.put("status_line", statusLine);
        m.put("duration", duration);
        m.put("host", host);
        m.put("slot", slot);
        m.put("at", Instant.ofEpochSecond(at).toString());
        return m;
    }
}
