package org.ktestci.schema.config;

import org.ktestci.schema.known.KnownIssue;

import java.util.Map;

/**
 * The keys issue 14 adds for finding regressions (config.md as amended by issue 14).
 *
 * @param kcidbOrigin {@code kcidb_origin}, {@code ^[a-z0-9_]+$}, default {@code ktest_ci}
 * @param knownIssues {@code [known_issue.<id>]} in file order
 */
public record RegressionConfig(String kcidbOrigin, Map<String, KnownIssue> knownIssues) {
    public static final String DEFAULT_ORIGIN = "ktest_ci";

    public RegressionConfig {
        knownIssues = CiConfig.ordered(knownIssues);
    }

    public static RegressionConfig defaults() {
        return new RegressionConfig(DEFAULT_ORIGIN, Map.of());
    }
}
