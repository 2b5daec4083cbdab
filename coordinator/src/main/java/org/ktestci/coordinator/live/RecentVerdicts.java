package org.ktestci.coordinator.live;

import org.ktestci.schema.status.Status;

/**
 * Verdicts of the last hour ({@code recent} in {@code /api/v1/queue}): completed (Passed or Failed) and failed,
 * counted in one-minute buckets.
 */
public final class RecentVerdicts {
    private static final int BUCKETS = 60;
    private static final long BUCKET_MILLIS = 60_000;

    private final long[] completed = new long[BUCKETS];
    private final long[] failed = new long[BUCKETS];
    private final long[] bucketMinute = new long[BUCKETS];

    public synchronized void recorded(Status status, long nowMillis) {
        if (status != Status.PASSED && status != Status.FAILED) {
            return;
        }
        int i = slot(nowMillis);
        completed[i]++;
        if (status == Status.FAILED) {
            failed[i]++;
        }
    }

    private int slot(long nowMillis) {
        long minute = nowMillis / BUCKET_MILLIS;
        int i = (int) (minute % BUCKETS);
        if (bucketMinute[i] != minute) {
            bucketMinute[i] = minute;
            completed[i] = 0;
            failed[i] = 0;
        }
        return i;
    }

    /** {completed, failed} over the 60 minutes up to now. */
    public synchronized long[] lastHour(long nowMillis) {
        long minute = nowMillis / BUCKET_MILLIS;
        long c = 0;
        long f = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (minute - bucketMinute[i] < BUCKETS) {
                c += completed[i];
                f += failed[i];
            }
        }
        return new long[] {c, f};
    }
}
