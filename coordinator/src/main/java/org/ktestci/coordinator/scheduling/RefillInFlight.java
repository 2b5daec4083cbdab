package org.ktestci.coordinator.scheduling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The {@link JobWindow}'s refills (scheduling.md §4): one runs at a time, off the actor's thread (git walks,
 * listings); triggers meanwhile collapse into one follow-up. It also remembers what a running refill was computed
 * with, the jobs decided lately (left out until the index surely shows their verdicts), force-pushes not yet
 * served (claims wait for them), and when the last low-water refill was. Owned by the window's actor.
 */
final class RefillInFlight {
    private static final long DECIDED_MEMORY_MILLIS = 10 * 60 * 1000;

    /** Jobs decided lately, by when. */
    final Map<JobKey, Long> decided = new HashMap<>();
    private boolean running;
    private String followUp;
    private Set<JobKey> excluded = Set.of();
    /** The arch constraints the running refill was computed with. */
    private Map<String, ArchConstraint> constraints = Map.of();
    private long forcedSeq;
    private long forcedSeqServed;
    private long lastLowWater;
    private boolean lowWaterArmed = true;

    boolean running() {
        return running;
    }

    /** A force-push: no claim is served until a refill that started after it has completed (§4.2). */
    void forcePushed() {
        forcedSeq++;
    }

    boolean claimsWait() {
        return forcedSeq > forcedSeqServed;
    }

    /**
     * Starts a refill for {@code trigger} unless one runs (then it follows that one): the jobs of {@code state}'s
     * pending commits as {@code source} computes them on {@code blocking}, leaving out leased and decided jobs.
     */
    Optional<Started> start(String trigger, WindowState state, RefillSource source, Set<String> arches, int window,
                            Executor blocking) {
        if (running) {
            followUp = trigger;
            return Optional.empty();
        }
        running = true;
        long now = System.currentTimeMillis();
        decided.values().removeIf(at -> now - at > DECIDED_MEMORY_MILLIS);
        Set<JobKey> leaveOut = new HashSet<>(state.leasedKeys);
        leaveOut.addAll(decided.keySet());
        excluded = Set.copyOf(leaveOut);
        Map<String, ArchConstraint> withConstraints = Map.copyOf(state.constraints);
        constraints = withConstraints;
        Set<String> pendingCommits = new HashSet<>();
        state.pending.keys().forEach(k -> pendingCommits.add(k.commit()));
        Set<JobKey> out = excluded;
        CompletableFuture<DesiredJobs.Result> f = CompletableFuture.supplyAsync(() -> {
            try {
                return source.compute(out::contains, arches, window, withConstraints, pendingCommits);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, blocking);
        return Optional.of(new Started(f, forcedSeq, System.nanoTime()));
    }

    /** A started refill: its result, the force-push count when it started, its start (nanoTime). */
    record Started(CompletableFuture<DesiredJobs.Result> result, long forcedSeqAtStart, long startNanos) {}

    /** The jobs the running refill left out. */
    Set<JobKey> excluded() {
        return excluded;
    }

    /** The refill completed; it served the force-pushes before its start. */
    void completed(long forcedSeqAtStart) {
        running = false;
        forcedSeqServed = Math.max(forcedSeqServed, forcedSeqAtStart);
    }

    void failed() {
        running = false;
    }

    /** The trigger that came while the refill ran, once. */
    Optional<String> takeFollowUp() {
        String t = followUp;
        followUp = null;
        return Optional.ofNullable(t);
    }

    boolean hasFollowUp() {
        return followUp != null;
    }

    /**
     * The refill's jobs narrowed by constraints learned while it ran (an arch mismatch ending a lease meanwhile):
     * otherwise its jobs, computed with the older constraints, would widen the pending jobs the constraint narrowed.
     */
    DesiredJobs.Result constrainedSinceStart(DesiredJobs.Result result, WindowState state) {
        Map<String, ArchConstraint> learned = new HashMap<>();
        state.constraints.forEach((test, c) -> {
            if (!c.equals(constraints.get(test))) {
                learned.put(test, c);
            }
        });
        if (learned.isEmpty()) {
            return result;
        }
        List<Job> jobs = new ArrayList<>(result.jobs().size());
        for (Job j : result.jobs()) {
            ArchConstraint c = learned.get(j.key().test());
            jobs.add(c != null && j.allowedArches().contains(c.arch()) && j.allowedArches().size() > 1
                    ? j.withAllowedArches(Set.of(c.arch())) : j);
        }
        return new DesiredJobs.Result(jobs, result.desiredBeforeTruncation(), result.unschedulable(),
                result.liveCommits());
    }

    /** A refill lifted pending above {@code refill_at}: the next dip refills at once. */
    void aboveLowWater() {
        lowWaterArmed = true;
    }

    /**
     * §4.1: at most one low-water refill per {@code fetch_interval} while pending stays at or below
     * {@code refill_at}; once a refill lifted it above, the next dip refills at once. Whether one is due now.
     */
    boolean lowWaterDue(int pending, int refillAt, long fetchIntervalMillis, long now) {
        if (pending <= refillAt && (lowWaterArmed || now - lastLowWater >= fetchIntervalMillis)) {
            lastLowWater = now;
            lowWaterArmed = false;
            return true;
        }
        return false;
    }
}
