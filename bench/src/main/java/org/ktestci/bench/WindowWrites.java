package org.ktestci.bench;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * Where a JobWindow write's time goes, from {@code ktest_ci_window_flush_seconds}: per phase (planning its claims,
 * the journal write, offers and bookkeeping once durable) the mean and the bucket holding the 99th percentile.
 */
final class WindowWrites {
    private WindowWrites() {
    }

    static String breakdown(CoordinatorMetrics metrics, double leases) {
        StringJoiner out = new StringJoiner(", ");
        long writes = 0;
        for (HistogramSnapshot.HistogramDataPointSnapshot d : metrics.windowFlush.collect().getDataPoints()) {
            String phase = d.getLabels().get("phase");
            if (phase.equals("write")) {
                writes = d.getCount();
            }
            out.add(String.format(Locale.ROOT, "%s mean %.1f ms, p99 ≤ %s ms", phase,
                    d.getCount() == 0 ? 0 : d.getSum() * 1000 / d.getCount(), p99Bound(d.getClassicBuckets(),
                            d.getCount())));
        }
        return String.format(Locale.ROOT, "%d writes, %.1f grants per write: ", writes,
                writes == 0 ? 0 : leases / writes) + out;
    }

    /** The upper bound of the bucket holding the 99th percentile (counts per bucket, not cumulative). */
    private static String p99Bound(ClassicHistogramBuckets b, long count) {
        long seen = 0;
        for (int i = 0; i < b.size(); i++) {
            seen += b.getCount(i);
            if (seen >= Math.ceil(count * 0.99)) {
                double ub = b.getUpperBound(i);
                return Double.isInfinite(ub) ? "∞" : String.format(Locale.ROOT, "%.1f", ub * 1000);
            }
        }
        return "?";
    }
}
