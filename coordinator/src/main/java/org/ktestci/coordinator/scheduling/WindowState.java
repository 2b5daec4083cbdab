package org.ktestci.coordinator.scheduling;

import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.ktestci.coordinator.scheduling.WindowEvent.ConstraintLearned;
import org.ktestci.coordinator.scheduling.WindowEvent.FailuresReset;
import org.ktestci.coordinator.scheduling.WindowEvent.HostQuarantined;
import org.ktestci.coordinator.scheduling.WindowEvent.HostReleased;
import org.ktestci.coordinator.scheduling.WindowEvent.LeaseEnded;
import org.ktestci.coordinator.scheduling.WindowEvent.LeaseGranted;
import org.ktestci.coordinator.scheduling.WindowEvent.Removal;
import org.ktestci.coordinator.scheduling.WindowEvent.WindowReconciled;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * What {@link JobWindow} persists: pending jobs, leases, the epoch counter, job failures, host health and learned
 * arch constraints. Mutable and owned by the actor (a claim must not copy a 2000-job window); snapshots are
 * taken as {@link WindowSnapshot} copies. {@link #apply} is the only mutator, so replay rebuilds it exactly.
 */
final class WindowState {
    final PendingJobs pending = new PendingJobs();
    final Map<String, LeaseGrant> leases = new LinkedHashMap<>();
    final Set<JobKey> leasedKeys = new HashSet<>();
    final Map<JobKey, JobFailures> failures = new HashMap<>();
    final Map<String, HostHealth> hosts = new HashMap<>();
    final Map<String, ArchConstraint> constraints = new HashMap<>();
    long epoch;
    private final int quarantineAfter;

    WindowState(int quarantineAfter) {
        this.quarantineAfter = quarantineAfter;
    }

    JobFailures failuresOf(JobKey key) {
        return failures.getOrDefault(key, JobFailures.none());
    }

    HostHealth health(String host) {
        return hosts.getOrDefault(host, HostHealth.FRESH);
    }

    int quarantineAfter() {
        return quarantineAfter;
    }

    void apply(WindowEvent e) {
        if (e instanceof WindowReconciled r) {
            for (Removal rm : r.removed()) {
                pending.remove(rm.key());
            }
            r.added().forEach(pending::put);
            r.updated().forEach(pending::put);
            prune(r.at());
        } else if (e instanceof LeaseGranted g) {
            List<Job> jobs = new ArrayList<>();
            for (JobKey k : g.keys()) {
                Job j = pending.remove(k);
                if (j != null) {
                    jobs.add(j);
                    leasedKeys.add(k);
                }
            }
            epoch = Math.max(epoch, g.epoch());
            if (!jobs.isEmpty()) {
                leases.put(g.leaseId(), new LeaseGrant(g.leaseId(), g.epoch(), g.host(), g.slot(), g.arch(),
                        List.copyOf(jobs), List.copyOf(g.attempts().subList(0, Math.min(jobs.size(),
                        g.attempts().size()))), "", g.at()));
            }
        } else if (e instanceof LeaseEnded end) {
            LeaseGrant lease = leases.remove(end.leaseId());
            if (lease == null) {
                return;
            }
            Set<JobKey> requeued = new HashSet<>(end.requeued());
            Set<JobKey> counted = new HashSet<>(end.counted());
            for (Job j : lease.jobs()) {
                leasedKeys.remove(j.key());
                if (counted.contains(j.key())) {
                    failures.put(j.key(), failuresOf(j.key()).plus(lease.host(), lease.slot(), end.at()));
                }
                if (requeued.contains(j.key())) {
                    pending.put(j);
                } else {
                    failures.remove(j.key()); // decided: a verdict or Failed to run
                }
            }
            HostHealth h = health(lease.host());
            if (end.hostFailure()) {
                hosts.put(lease.host(), h.failed());
            } else if (end.hostSuccess()) {
                hosts.put(lease.host(), h.succeeded());
            }
            prune(end.at());
        } else if (e instanceof HostQuarantined q) {
            HostHealth h = health(q.host());
            hosts.put(q.host(), "admin".equals(q.by()) ? new HostHealth(h.consecutive(), h.level(), q.until())
                    : h.quarantined(q.until(), q.level(), quarantineAfter));
        } else if (e instanceof HostReleased rel) {
            hosts.put(rel.host(), health(rel.host()).released());
        } else if (e instanceof ConstraintLearned c) {
            constraints.put(c.test(), new ArchConstraint(c.listingMtime(), c.arch()));
            for (Job j : List.copyOf(pending.inOrder())) {
                if (j.key().test().equals(c.test()) && j.allowedArches().contains(c.arch())
                        && j.allowedArches().size() > 1) {
                    pending.put(j.withAllowedArches(Set.of(c.arch())));
                }
            }
        } else if (e instanceof FailuresReset fr) {
            fr.keys().forEach(failures::remove);
        }
    }

    /** Failure records 24 h past their last failure go (by event time, so replay prunes alike). */
    private void prune(long at) {
        failures.values().removeIf(f -> at - f.lastAt() > JobFailures.KEEP_MILLIS);
    }

    WindowSnapshot snapshot() {
        List<WindowSnapshot.FailureEntry> f = new ArrayList<>();
        failures.forEach((k, v) -> f.add(new WindowSnapshot.FailureEntry(k, v)));
        return new WindowSnapshot(List.copyOf(pending.inOrder()), List.copyOf(leases.values()), epoch, f,
                Map.copyOf(hosts), Map.copyOf(constraints));
    }

    /** The window's snapshots are {@link WindowSnapshot} copies; {@code quarantineAfter} is read at recovery. */
    static SnapshotAdapter<WindowState> snapshots(IntSupplier quarantineAfter) {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(WindowState state) {
                return state.snapshot();
            }

            @Override
            public WindowState fromJournal(Object from) {
                return of((WindowSnapshot) from, quarantineAfter.getAsInt());
            }
        };
    }

    static WindowState of(WindowSnapshot s, int quarantineAfter) {
        WindowState w = new WindowState(quarantineAfter);
        s.pending().forEach(w.pending::put);
        for (LeaseGrant l : s.leases()) {
            w.leases.put(l.leaseId(), l);
            l.jobs().forEach(j -> w.leasedKeys.add(j.key()));
        }
        w.epoch = s.epoch();
        s.failures().forEach(f -> w.failures.put(f.key(), f.failures()));
        w.hosts.putAll(s.hosts());
        w.constraints.putAll(s.constraints());
        return w;
    }
}
