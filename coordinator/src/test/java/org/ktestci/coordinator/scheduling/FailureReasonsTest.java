package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.ktestci.protocol.LeaseEndReason;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scheduling.md §8: which side of a failure a reason blames. */
class FailureReasonsTest {
    @Test
    void aMissingRootImageIsTheHostsFaultNeverTheJobs() {
        assertTrue(FailureReasons.countsForHost(LeaseEndReason.NO_ROOT_IMAGE),
                "the host is quarantined by the usual rules");
        assertFalse(FailureReasons.countsForJob(LeaseEndReason.NO_ROOT_IMAGE), "the job is not counted against");
    }

    @Test
    void aKernelThatDoesNotBootIsTheCommitsFaultNeverTheHosts() {
        assertFalse(FailureReasons.countsForHost(LeaseEndReason.ZERO_PROGRESS));
        assertTrue(FailureReasons.countsForJob(LeaseEndReason.ZERO_PROGRESS), "Failed to run after infra_retries");
        assertTrue(FailureReasons.countsForHost(LeaseEndReason.NO_KERNEL));
        assertTrue(FailureReasons.countsForJob(LeaseEndReason.NO_KERNEL));
    }
}
