package org.ktestci.schema.config;

import java.util.List;

/**
 * {@code [branch.<name>]} (config.md §5): {@code fetch} split into URL and ref. {@code fetchUrl} is an absolute
 * path when the file gave a path (relative ones are resolved against the config file's directory).
 * {@code bisect} and {@code bisectMaxJobs} (issue 14 item 3): whether a new failure's first bad commit is searched
 * for, and how many of the branch's bisection jobs may be pending or leased at once.
 */
public record BranchConfig(String name, String fetchUrl, String fetchRef, String repo, List<String> testGroups,
                           boolean bisect, int bisectMaxJobs) {
    public static final int DEFAULT_BISECT_MAX_JOBS = 20;

    public BranchConfig {
        testGroups = List.copyOf(testGroups);
    }

    public BranchConfig(String name, String fetchUrl, String fetchRef, String repo, List<String> testGroups) {
        this(name, fetchUrl, fetchRef, repo, testGroups, true, DEFAULT_BISECT_MAX_JOBS);
    }
}
