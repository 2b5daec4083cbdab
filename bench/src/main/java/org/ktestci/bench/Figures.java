package org.ktestci.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Repeated measurements of one figure: median and 90th percentile, printed as one line. */
final class Figures {
    private final List<Double> values = new ArrayList<>();

    void add(double v) {
        values.add(v);
    }

    double median() {
        return quantile(0.5);
    }

    double p90() {
        return quantile(0.9);
    }

    private double quantile(double q) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.floor(q * s.size())));
    }

    String line(String name, String unit) {
        return String.format(Locale.ROOT, "%-58s median %10.2f %-6s p90 %10.2f %s (n=%d)", name, median(), unit, p90(),
                unit, values.size());
    }
}
