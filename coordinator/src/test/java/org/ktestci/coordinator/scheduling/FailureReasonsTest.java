package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scheduling.md §8: which side of a failure a reason blames. */
class FailureReasonsTest {
    @Test
    void aMissingRootImageIsTheHostsFaultNeverTheJobs() {
        assertTrue(FailureReasons.countsForHost("no_root_image"), "the host is quarantined by the usual rules");
        assertFalse(FailureReasons.countsForJob("no_root_image"), "the job is not counted against");
    }

    @Test
    void aKernelThatDoesNotBootIsTheCommitsFaultNeverTheHosts() {
        assertFalse(FailureReasons.countsForHost("zero_progress"));
        assertTrue(FailureReasons.countsForJob("zero_progress"), "Failed to run after infra_retries");
        assertTrue(FailureReasons.countsForHost("no_kernel"));
        assertTrue(FailureReasons.countsForJob("no_kernel"));
    }
}
