package org.ktestci.schema.config;

import org.ktestci.schema.known.KnownIssue;

import java.util.Map;

/**
 * The keys issue 14 adds for finding regressions (config.md as amended by issue 14).
 *
 * @param kcidbOrigin {@code kcidb_origin}, {@code ^[a-z0-9_]+$}, default {@code ktest_ci}
 * @param knownIssues  {@code [known_issue.<id>]} in file order
 * @param flakeRetries {@code flake_retries}, 0..5, default 2: re-runs of a new failure
 * @param flakeWindow  {@code flake_window}, at least 1, default 20: the commits a flake rate is computed over
 * @param notifications{@code [notify]}: webhooks for the regression events (issue 14 item 8)
 */
public record RegressionConfig(String kcidbOrigin, Map<String, KnownIssue> knownIssues, int flakeRetries,
                               int flakeWindow, NotifyConfig notifications) {
    public static final String DEFAULT_ORIGIN = "ktest_ci";
    public static final int DEFAULT_FLAKE_RETRIES = 2;
    public static final int MAX_FLAKE_RETRIES = 5;
    public static final int DEFAULT_FLAKE_WINDOW = 20;

    public RegressionConfig {
        knownIssues = CiConfig.ordered(knownIssues);
    }

    public static RegressionConfig defaults() {
        return new RegressionConfig(DEFAULT_ORIGIN, Map.of(), DEFAULT_FLAKE_RETRIES, DEFAULT_FLAKE_WINDOW,
                NotifyConfig.none());
    }
}
