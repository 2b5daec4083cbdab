package org.ktestci.schema.config;

/**
 * The keys issue 14 adds for finding regressions (config.md as amended by issue 14): the KCIDB origin that
 * prefixes exported ids.
 *
 * @param kcidbOrigin {@code kcidb_origin}, {@code ^[a-z0-9_]+$}, default {@code ktest_ci}
 */
public record RegressionConfig(String kcidbOrigin) {
    public static final String DEFAULT_ORIGIN = "ktest_ci";

    public static RegressionConfig defaults() {
        return new RegressionConfig(DEFAULT_ORIGIN);
    }
}
