package org.ktestci.schema.config;

import java.util.List;

/**
 * {@code [branch.<name>]} (config.md §5). {@code fetchUrl} is absolute when the file gave a relative path.
 */
public record BranchConfig(String name, String fetchUrl, String fetchRef, String repo, List<String> testGroups) {
}
