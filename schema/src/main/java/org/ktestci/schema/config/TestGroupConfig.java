package org.ktestci.schema.config;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code [test_group.<name>]} with {@code extends} resolved (config.md §4): lists come whole from the nearest
 * group that sets them, {@code env} is the ancestors' maps overlaid. {@code priority} is {@code priority} or its
 * alias {@code nice}; {@code env} values are the TOML text of the configured values ({@code 1}, {@code true});
 * {@code arch} empty means any.
 */
public record TestGroupConfig(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                              SortedMap<String, String> env, List<Arch> arch) {
    public TestGroupConfig {
        tests = List.copyOf(tests);
        kernels = List.copyOf(kernels);
        env = Collections.unmodifiableSortedMap(new TreeMap<>(env));
        arch = List.copyOf(arch);
    }
}
