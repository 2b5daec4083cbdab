package org.ktestci.coordinator.scheduling;

/**
 * Identity of a job (scheduling.md §1.1). User, branch, group and repo are not part of it, so a commit
 * reached from several branches or groups runs once. {@code observation} is 0 for the job that gives the
 * verdict and n ≥ 1 for the n-th re-run of a key that already has one (issue 14: a re-run has an identity of its
 * own, so it is not dropped as decided); absent (0) in journals of earlier versions.
 */
public record JobKey(String commit, String test, String subtest, String kernel, String env, String archId,
                     int observation) {

    public JobKey(String commit, String test, String subtest, String kernel, String env, String archId) {
        this(commit, test, subtest, kernel, env, archId, 0);
    }

    /** The n-th re-run of this job. */
    public JobKey observation(int n) {
        return new JobKey(commit, test, subtest, kernel, env, archId, n);
    }
}
