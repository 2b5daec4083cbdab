package org.ktestci.coordinator.scheduling;

import java.util.List;
import java.util.SortedMap;

/** A resolved test group ({@code extends} already applied). {@code arch} empty = any arch. */
public record GroupSpec(String name, List<String> tests, int maxCommits, int priority, List<String> kernels,
                        SortedMap<String, String> env, List<String> arch) {
}
