package org.ktestci.coordinator.scheduling;

import org.ktestci.protocol.LeaseEndReason;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leases a recovered {@link JobWindow} holds until their workers say hello (scheduling.md §7): a hello's
 * active leases still current on that host, slot and epoch are resumed, the rest abandoned; the host's other
 * recovered leases and those no worker resumed within {@code lease_timeout} end with
 * {@code coordinator_failover}. Owned by the window's actor.
 */
final class LeaseResumption {
    /** What to answer a hello, and how to end the recovered leases of its host that it did not report. */
    record Decision(JobWindow.ResumeDecision answer, List<JobWindow.EndLease> toEnd) {}

    private final Set<String> unresumed = new HashSet<>();

    /** After recovery: every lease of the state waits for its worker. Returns how many. */
    int recovered(WindowState state) {
        unresumed.addAll(state.leases.keySet());
        return unresumed.size();
    }

    /** The lease ended (or was resumed): nothing waits for it any more. */
    void forget(String leaseId) {
        unresumed.remove(leaseId);
    }

    Decision decide(WindowState state, String host, List<JobWindow.ActiveLease> active) {
        List<LeaseGrant> resume = new ArrayList<>();
        List<String> abandon = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (JobWindow.ActiveLease a : active) {
            LeaseGrant g = state.leases.get(a.leaseId());
            reported.add(a.leaseId());
            if (g != null && g.host().equals(host) && g.slot() == a.slot() && g.epoch() == a.epoch()
                    && unresumed.remove(a.leaseId())) {
                resume.add(g);
            } else {
                abandon.add(a.leaseId());
            }
        }
        // The host's other recovered leases are not running there any more.
        List<JobWindow.EndLease> toEnd = new ArrayList<>();
        for (LeaseGrant g : List.copyOf(state.leases.values())) {
            if (g.host().equals(host) && unresumed.contains(g.leaseId()) && !reported.contains(g.leaseId())) {
                toEnd.add(notResumed(g.leaseId()));
            }
        }
        return new Decision(new JobWindow.ResumeDecision(resume, abandon), toEnd);
    }

    /** {@code lease_timeout} after recovery: the ends of the leases still waiting. */
    List<JobWindow.EndLease> expired() {
        return unresumed.stream().map(LeaseResumption::notResumed).toList();
    }

    private static JobWindow.EndLease notResumed(String leaseId) {
        return new JobWindow.EndLease(leaseId, LeaseEndKind.ABANDONED, LeaseEndReason.COORDINATOR_FAILOVER, Map.of(),
                Set.of());
    }
}
