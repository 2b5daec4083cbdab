package org.ktestci.coordinator.results;

import org.ktestci.coordinator.results.CommitEvent.ClaimReleased;
import org.ktestci.coordinator.results.CommitEvent.ClaimedKey;
import org.ktestci.coordinator.results.CommitEvent.ImportedEntry;
import org.ktestci.coordinator.results.CommitEvent.ObservationRecorded;
import org.ktestci.coordinator.results.CommitEvent.ResultsCleared;
import org.ktestci.coordinator.results.CommitEvent.StartRecorded;
import org.ktestci.coordinator.results.CommitEvent.SubtestsClaimed;
import org.ktestci.coordinator.results.CommitEvent.VerdictRecorded;
import org.ktestci.coordinator.results.CommitEvent.VerdictsImported;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One commit's result keys and the rules of storage.md §7.1 that decide which commands become events. Mutable,
 * owned by its entity: a commit can hold 13,000 keys and a farm records thousands of verdicts a minute, so events
 * update it in place; snapshots are taken from {@link #records()} copies.
 */
final class CommitState {
    private final Map<String, ResultRecord> byKey = new HashMap<>();
    /** Per key, its leases that ended without a verdict since it last had one (storage.md §4 fallback log). */
    private final Map<String, List<FailureReason.Attempt>> released = new HashMap<>();
    /** In an overlay: the keys whose entries were copied in (null entry = known absent). */
    private final Set<String> known = new HashSet<>();

    static CommitState of(Collection<ResultRecord> records) {
        return of(records, Map.of());
    }

    static CommitState of(Collection<ResultRecord> records, Map<String, List<FailureReason.Attempt>> released) {
        CommitState s = new CommitState();
        records.forEach(r -> s.byKey.put(r.key(), r));
        released.forEach((k, v) -> s.released.put(k, List.copyOf(v)));
        return s;
    }

    /** A copy of the attempts kept for keys without a verdict (the snapshot holds them). */
    Map<String, List<FailureReason.Attempt>> releasedAttempts() {
        return Map.copyOf(released);
    }

    ResultRecord get(String key) {
        return byKey.get(key);
    }

    /**
     * Applies {@code e} to this overlay of {@code base}: the entries it touches are copied from the base first, so
     * afterwards {@link #effective} answers as the base will once {@code e} is persisted and applied.
     */
    void applyOver(CommitState base, CommitEvent e) {
        for (String k : touchedKeys(e)) {
            if (known.add(k)) {
                ResultRecord r = base.byKey.get(k);
                if (r != null) {
                    byKey.put(k, r);
                }
            }
        }
        apply(e);
    }

    /** The entry of {@code key} counting this overlay's events, else the base's. */
    ResultRecord effective(CommitState base, String key) {
        return known.contains(key) ? byKey.get(key) : base.byKey.get(key);
    }

    void clearOverlay() {
        byKey.clear();
        known.clear();
    }

    static List<String> touchedKeys(CommitEvent e) {
        if (e instanceof SubtestsClaimed c) {
            return c.keys().stream().map(ClaimedKey::key).toList();
        } else if (e instanceof StartRecorded s) {
            return List.of(s.key());
        } else if (e instanceof VerdictRecorded v) {
            return List.of(v.key());
        } else if (e instanceof ObservationRecorded o) {
            return List.of(o.key());
        } else if (e instanceof CommitEvent.FirstBadFound f) {
            return List.of(f.key());
        } else if (e instanceof ClaimReleased r) {
            return r.keys();
        } else if (e instanceof ResultsCleared c) {
            return c.keys();
        } else if (e instanceof VerdictsImported im) {
            return im.entries().stream().map(ImportedEntry::key).toList();
        }
        return List.of();
    }

    Map<String, ResultRecord> view() {
        return byKey;
    }

    List<ResultRecord> records() {
        return List.copyOf(byKey.values());
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }




    /** Applies an event; returns the keys whose entries were removed (for the projection to delete). */
    Set<String> apply(CommitEvent e) {
        if (e instanceof SubtestsClaimed c) {
            for (ClaimedKey k : c.keys()) {
                ResultRecord r = byKey.get(k.key());
                if (r == null || !r.hasVerdict()) {
                    byKey.put(k.key(), ResultRecord.claimed(k.key(), c.leaseId(), c.host(), c.slot(), c.arch(),
                            k.attempt(), c.at()));
                }
            }
        } else if (e instanceof StartRecorded s) {
            ResultRecord r = byKey.get(s.key());
            if (r != null && !r.hasVerdict() && r.leaseId().equals(s.leaseId())) {
                byKey.put(s.key(), r.withStart(s.at()));
            }
        } else if (e instanceof VerdictRecorded v) {
            ResultRecord r = byKey.get(v.key());
            if (r != null) {
                List<FailureReason.Attempt> earlier = released.remove(v.key());
                byKey.put(v.key(), r.withVerdict(v.status(), v.statusLine(), v.duration(), v.startedAt(),
                        v.fullLogKey(), v.fullLogRerun(), v.reason()).withRun(v.run())
                        .withAttempts(earlier == null ? List.of() : earlier, v.finishedAt()));
            }
        } else if (e instanceof ObservationRecorded o) {
            ResultRecord r = byKey.get(o.key());
            if (r != null && r.hasVerdict() && !r.observed(o.n())) {
                byKey.put(o.key(), r.withObservation(new Observation(o.n(), o.status(),
                        o.statusLine(), o.duration(), o.host(), o.slot(), o.leaseId(), o.at(), o.fullLogKey(),
                        o.fullLogRerun())));
            }
        } else if (e instanceof CommitEvent.FirstBadFound f) {
            ResultRecord r = byKey.get(f.key());
            if (r != null && r.hasVerdict()) {
                byKey.put(f.key(), r.withFirstBad(f.firstBad()));
            }
        } else if (e instanceof ClaimReleased rel) {
            for (String k : rel.keys()) {
                ResultRecord r = byKey.get(k);
                if (r != null && r.status() == Status.INPROGRESS && r.leaseId().equals(rel.leaseId())) {
                    List<FailureReason.Attempt> history = new ArrayList<>(released.getOrDefault(k, List.of()));
                    history.add(r.asAttempt(rel.reasonOf(k), rel.at()));
                    released.put(k, List.copyOf(history));
                }
            }
            return remove(rel.keys(), r -> r.status() == Status.INPROGRESS && r.leaseId().equals(rel.leaseId()));
        } else if (e instanceof ResultsCleared cl) {
            cl.keys().forEach(released::remove);
            return remove(cl.keys(), r -> true);
        } else if (e instanceof VerdictsImported im) {
            for (ImportedEntry en : im.entries()) {
                byKey.put(en.key(), ResultRecord.imported(en.key(), en.status(), en.duration(), en.starttime()));
            }
        }
        return Set.of();
    }

    private Set<String> remove(Collection<String> keys, Predicate<ResultRecord> which) {
        Set<String> removed = new HashSet<>();
        for (String k : keys) {
            ResultRecord r = byKey.get(k);
            if (r != null && which.test(r)) {
                byKey.remove(k);
                removed.add(k);
            }
        }
        return removed;
    }
}
