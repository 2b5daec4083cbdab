package org.ktestci.coordinator.scheduling;

import java.util.List;
import java.util.SortedMap;

/**
 * A resolved test group ({@code extends} already applied). {@code arch} empty = any arch. With
 * {@code failuresFirst}, the group's subtests that failed on any of the branch's last {@code failuresFirstCommits}
 * tested commits go first within a commit (scheduling.md §3 step 5, {@code order = "failures_first"}).
 */
public record GroupSpec(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                        SortedMap<String, String> env, List<String> arch, boolean failuresFirst,
                        int failuresFirstCommits) {

    /** A group in the default order, longest first. */
    public GroupSpec(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                     SortedMap<String, String> env, List<String> arch) {
        this(name, tests, maxCommits, priority, kernels, env, arch, false, 5);
    }

    public GroupSpec withFailuresFirst(int commits) {
        return new GroupSpec(name, tests, maxCommits, priority, kernels, env, arch, true, commits);
    }
}
