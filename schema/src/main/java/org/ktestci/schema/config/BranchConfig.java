package org.ktestci.schema.config;

import java.util.List;

/**
 * {@code [branch.<name>]} (config.md §5): {@code fetch} split into URL and ref. {@code fetchUrl} is an absolute
 * path when the file gave a path (relative ones are resolved against the config file's directory).
 */
public record BranchConfig(String name, String fetchUrl, String fetchRef, String repo, List<String> testGroups) {
    public BranchConfig {
        testGroups = List.copyOf(testGroups);
    }
}
