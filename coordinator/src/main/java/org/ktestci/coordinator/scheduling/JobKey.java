package org.ktestci.coordinator.scheduling;

/**
 * Identity of a job (scheduling.md §1.1). User, branch, group and repo are not part of it, so a commit
 * reached from several branches or groups runs once.
 */
public record JobKey(String commit, String test, String subtest, String kernel, String env, String archId) {
}
