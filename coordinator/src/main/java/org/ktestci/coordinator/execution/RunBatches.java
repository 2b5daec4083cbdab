package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.RunBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** The {@link RunBatch} that dispatches a lease to its slot's worker (protocol.md §2). */
final class RunBatches {
    private RunBatches() {
    }

    static RunBatch of(LeaseGrant lease, int slot, String arch, int subtestTimeoutSecs,
                       ActorRef<ExecutorMessage> executor) {
        Job first = lease.first();
        List<RunBatch.BatchSubtest> subtests = new ArrayList<>();
        for (Job j : lease.jobs()) {
            subtests.add(new RunBatch.BatchSubtest(j.key().subtest(), j.resultKey(), j.cost()));
        }
        List<RunBatch.Source> sources = first.sources().stream().map(x -> new RunBatch.Source(x.url(), x.ref()))
                .toList();
        return new RunBatch(lease.leaseId(), lease.epoch(), slot, lease.attempt(), first.repo(), lease.commit(),
                sources, lease.fallbackUrl(), first.key().test(), first.key().kernel(), new HashMap<>(first.env()),
                arch, subtests, first.basename(), subtestTimeoutSecs, executor);
    }
}
