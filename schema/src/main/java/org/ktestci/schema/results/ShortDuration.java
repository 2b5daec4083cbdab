package org.ktestci.schema.results;

import java.util.Locale;

/**
 * The short duration format of cli.md §3: {@code <N>s} under 60 s, {@code <N>m} under an hour (floor),
 * {@code <N.N>h} under a day, else {@code <N.N>d}: ci-status's tables and the dashboard's pages.
 */
public final class ShortDuration {
    private ShortDuration() {
    }

    public static String of(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return String.format(Locale.ROOT, "%.1fh", seconds / 3600.0);
        }
        return String.format(Locale.ROOT, "%.1fd", seconds / 86400.0);
    }
}
