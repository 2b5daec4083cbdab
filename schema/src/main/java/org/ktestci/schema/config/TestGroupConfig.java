package org.ktestci.schema.config;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code [test_group.<name>]} with {@code extends} resolved (config.md §4): lists come whole from the nearest
 * group that sets them, {@code env} is the ancestors' maps overlaid. {@code priority} is {@code priority} or its
 * alias {@code nice}; {@code env} values are the TOML text of the configured values ({@code 1}, {@code true});
 * {@code arch} empty means any. {@code order} is {@link #LONGEST_FIRST} or {@link #FAILURES_FIRST} (scheduling.md
 * §3 step 5); {@code failuresFirstCommits} how many of the branch's last tested commits count for the latter.
 */
public record TestGroupConfig(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                              SortedMap<String, String> env, List<Arch> arch, String order,
                              int failuresFirstCommits) {
    public static final String LONGEST_FIRST = "longest_first";
    public static final String FAILURES_FIRST = "failures_first";
    static final List<String> ORDERS = List.of(LONGEST_FIRST, FAILURES_FIRST);

    /** A group with the default order (longest first). */
    public TestGroupConfig(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                           SortedMap<String, String> env, List<Arch> arch) {
        this(name, tests, maxCommits, priority, kernels, env, arch, LONGEST_FIRST, 5);
    }

    public TestGroupConfig {
        tests = List.copyOf(tests);
        kernels = List.copyOf(kernels);
        env = Collections.unmodifiableSortedMap(new TreeMap<>(env));
        arch = List.copyOf(arch);
    }
}
