package org.ktestci.schema.config;

import java.util.List;
import java.util.SortedMap;

/**
 * {@code [test_group.<name>]} with {@code extends} resolved (config.md §4). {@code env} values are the TOML
 * text of the configured values; {@code arch} empty means any.
 */
public record TestGroupConfig(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                              SortedMap<String, String> env, List<Arch> arch) {
}
