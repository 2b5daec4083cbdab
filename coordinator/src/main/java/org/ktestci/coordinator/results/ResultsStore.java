package org.ktestci.coordinator.results;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.ktestci.coordinator.results.CommitEvent.ClaimedKey;
import org.ktestci.coordinator.results.CommitEvent.ImportedEntry;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Parent of the per-commit {@link CommitEntity} entities (persistence id {@code commit-<sha>}): routes each
 * command to its commit's entity, spawning it on demand and letting it passivate when idle. At start it recovers
 * every commit of the journal into the {@link ResultsIndex} (or, on a first start over an existing ktest
 * {@code output_dir}, imports it) and only then answers {@link Ready}; commands arriving earlier wait.
 */
public final class ResultsStore {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits CommitCommand, JournalListed, ImportRead, EntityRecovered, Imported, Passivate, EntityStopped,
            StartupFailed, Forget, Erased, RecoveryFailure {}

    /** Retention: the commit's entity stops and its journal entries go; answered with {@link Forgotten}. */
    public record Forget(String sha, ActorRef<Forgotten> replyTo) implements Command {}

    public record Forgotten(String sha, boolean ok) implements NoSerializationVerificationNeeded {}

    private record Erased(String sha, Throwable error, ActorRef<Forgotten> replyTo) implements Command {}

    /** A command for one commit's entity. */
    public sealed interface CommitCommand extends Command
            permits Claim, Started, Verdict, Observe, RecordFirstBad, FailedToRun, Release, Clear, Import, StopEntity, Idle, FlushWrites {
        String sha();
    }

    public record Claim(String sha, List<ClaimedKey> keys, String leaseId, long epoch, String host, int slot,
                        String arch, long atSeconds) implements CommitCommand {}

    public record Started(String sha, String key, String leaseId, long atSeconds) implements CommitCommand {}

    /**
     * A worker's verdict; answered once it is durable (or refused as {@code duplicate} / {@code not_claimed}).
     * {@code fullLogRerun}: the re-run number {@code fullLogKey}'s job had in the lease (0: its first run).
     */
    public record Verdict(String sha, String key, String leaseId, long epoch, String statusLine, long durationSecs,
                          long startedAtSeconds, long finishedAtSeconds, String fullLogKey, int fullLogRerun,
                          String run, long token, ActorRef<VerdictOutcome> replyTo) implements CommitCommand {
        public Verdict(String sha, String key, String leaseId, long epoch, String statusLine, long durationSecs,
                       long startedAtSeconds, long finishedAtSeconds, String fullLogKey, String run, long token,
                       ActorRef<VerdictOutcome> replyTo) {
            this(sha, key, leaseId, epoch, statusLine, durationSecs, startedAtSeconds, finishedAtSeconds, fullLogKey,
                    0, run, token, replyTo);
        }
    }

    /**
     * A re-run's result for a key that already has its verdict (issue 14): recorded as observation {@code n},
     * answered {@code recorded}, {@code duplicate} (n already recorded) or {@code not_claimed} (no verdict yet).
     */
    public record Observe(String sha, String key, int n, String leaseId, String host, int slot, String statusLine,
                          long durationSecs, long finishedAtSeconds, String fullLogKey, int fullLogRerun, long token,
                          ActorRef<VerdictOutcome> replyTo) implements CommitCommand {}

    /**
     * What bisecting {@code key}'s failure found (issue 14 item 3): kept beside the verdict; ignored without a
     * verdict or when the same finding is already there.
     */
    public record RecordFirstBad(String sha, String key, FirstBad firstBad)
            implements CommitCommand {}

    /** The coordinator's own verdict when infrastructure retries are exhausted (status file {@code FAILED TO RUN}). */
    public record FailedToRun(String sha, String key, String leaseId, String reason) implements CommitCommand {}

    /**
     * Drops the In-progress claims of a lease that ended without verdicts for these keys; {@code reasons} gives a
     * key's own reason where the worker named one (else the lease's {@code reason}).
     */
    public record Release(String sha, List<String> keys, String leaseId, String reason, Map<String, String> reasons)
            implements CommitCommand {
        public Release(String sha, List<String> keys, String leaseId, String reason) {
            this(sha, keys, leaseId, reason, Map.of());
        }
    }

    /** Removes entries, verdicts included, so the keys are wanted again (scheduling.md §10). */
    public record Clear(String sha, List<String> keys, String reason, String requestedBy,
                        ActorRef<Cleared> replyTo) implements CommitCommand {}

    public record Cleared(String sha, List<String> keys) implements NoSerializationVerificationNeeded {}

    /** {@code done} (may be null) hears {@link ImportDone} once the import is in the journal. */
    public record Import(String sha, List<ImportedEntry> entries, String source, ActorRef<ImportDone> done)
            implements CommitCommand {}

    public record ImportDone(String sha) implements NoSerializationVerificationNeeded {}

    /** Passivation: the entity stops after the commands already in its mailbox. */
    record StopEntity(String sha) implements CommitCommand {}

    /** An entity writes the verdicts and starts it buffered (group commit); sent to itself. */
    record FlushWrites(String sha) implements CommitCommand {}

    /** The entity's receive timeout: it asks its parent to be passivated. */
    record Idle(String sha) implements CommitCommand {}

    /** An entity was idle long enough to be stopped. */
    record Passivate(String sha) implements Command {}

    record EntityRecovered(String sha) implements Command {}

    /** An entity's recovery failed (its signal; it restarts with back-off unless quarantined). */
    record RecoveryFailure(String sha, Throwable failure) implements Command {}

    /** An {@link Import} is in the journal. */
    record Imported(String sha) implements Command {}

    private record EntityStopped(String sha) implements Command {}

    private record JournalListed(List<String> shas) implements Command {}

    private record ImportRead(List<OutputDirImport.ImportedCommit> commits) implements Command {}

    private record StartupFailed(Throwable error) implements Command {}

    /** Told once every commit of the journal is in the index. */
    public record Ready(int commits) implements NoSerializationVerificationNeeded {}

    private static final int RECOVERY_PARALLELISM = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ResultsStore.class);

    private final ActorContext<Command> ctx;
    private final ResultsIndex index;
    private final VerdictListener listener;
    private final CommitEntity.Deps deps;
    private final JournalErasure erasure;
    /** Forgets waiting for their entity to stop. */
    private final Map<String, ActorRef<Forgotten>> forgetting = new HashMap<>();

    /** Deletes a persistence id's journal entries; blocking (it runs on the blocking dispatcher). */
    @FunctionalInterface
    public interface JournalErasure {
        void erase(String persistenceId) throws IOException;
    }
    private final Map<String, ActorRef<CommitCommand>> live = new HashMap<>();
    /** Commands for a commit whose entity is stopping; delivered to its next incarnation. */
    private final Map<String, List<CommitCommand>> waiting = new HashMap<>();

    /**
     * {@code journalIds} lists the commits the journal holds (run on the blocking dispatcher at start);
     * {@code outputDir} is read for import only when the journal holds none.
     */
    public static Behavior<Command> create(ResultsIndex index, OutputDir outputDir, JournalCommits journalIds,
                                           ActorRef<ResultsProjector.Command> projector, ActorRef<Ready> readyTo) {
        return create(index, outputDir, journalIds, projector, readyTo, id -> {
            throw new IOException("journal erasure not configured");
        }, VerdictListener.NONE);
    }

    public static Behavior<Command> create(ResultsIndex index, OutputDir outputDir, JournalCommits journalIds,
                                           ActorRef<ResultsProjector.Command> projector, ActorRef<Ready> readyTo,
                                           JournalErasure erasure) {
        return create(index, outputDir, journalIds, projector, readyTo, erasure, VerdictListener.NONE);
    }

    public static Behavior<Command> create(ResultsIndex index, OutputDir outputDir, JournalCommits journalIds,
                                           ActorRef<ResultsProjector.Command> projector, ActorRef<Ready> readyTo,
                                           JournalErasure erasure, VerdictListener listener) {
        return Behaviors.withStash(1_000_000, stash -> Behaviors.setup(ctx -> {
            ResultsStore store = new ResultsStore(ctx, index,
                    new CommitEntity.Deps(index, projector, ctx.getSelf(), listener), erasure, listener);
            ctx.pipeToSelf(journalIds.list(ctx.getSystem()),
                    (shas, err) -> err == null ? new JournalListed(shas) : new StartupFailed(err));
            return store.starting(stash, outputDir, projector, readyTo);
        }));
    }

    /** Lists the commits with journal entries ({@code commit-<sha>} persistence ids). */
    @FunctionalInterface
    public interface JournalCommits {
        CompletionStage<List<String>> list(ActorSystem<?> system);
    }

    private ResultsStore(ActorContext<Command> ctx, ResultsIndex index, CommitEntity.Deps deps,
                         JournalErasure erasure, VerdictListener listener) {
        this.ctx = ctx;
        this.index = index;
        this.listener = listener;
        this.deps = deps;
        this.erasure = erasure;
    }

    private Behavior<Command> starting(StashBuffer<Command> stash, OutputDir outputDir,
                                       ActorRef<ResultsProjector.Command> projector, ActorRef<Ready> readyTo) {
        Deque<String> toRecover = new ArrayDeque<>();
        int[] outstanding = {0};
        int[] total = {0};
        boolean[] importing = {false};
        Runnable next = () -> {
            while (outstanding[0] < RECOVERY_PARALLELISM && !toRecover.isEmpty()) {
                entity(toRecover.pollFirst());
                outstanding[0]++;
            }
        };
        return Behaviors.receive(Command.class)
                .onMessage(JournalListed.class, l -> {
                    if (l.shas().isEmpty()) {
                        importing[0] = true;
                        ctx.pipeToSelf(OutputDirImport.readAsync(outputDir,
                                        ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
                                (c, err) -> err == null ? new ImportRead(c) : new StartupFailed(err));
                        return Behaviors.same();
                    }
                    toRecover.addAll(l.shas());
                    total[0] = l.shas().size();
                    next.run();
                    return Behaviors.same();
                })
                .onMessage(ImportRead.class, r -> {
                    int results = 0;
                    for (OutputDirImport.ImportedCommit c : r.commits()) {
                        entity(c.sha()).tell(new Import(c.sha(), c.entries(), outputDir.root().toString(), null));
                        results += c.entries().size();
                    }
                    ctx.getLog().info("imported {} commits, {} results from {}", r.commits().size(), results,
                            outputDir.root());
                    total[0] = r.commits().size();
                    outstanding[0] = total[0];
                    return outstanding[0] == 0 ? ready(stash, projector, readyTo, 0) : Behaviors.same();
                })
                .onMessage(Imported.class, i -> {
                    outstanding[0]--;
                    return outstanding[0] == 0 ? ready(stash, projector, readyTo, total[0]) : Behaviors.same();
                })
                .onMessage(EntityRecovered.class, r -> {
                    if (importing[0]) {
                        return Behaviors.same(); // counted by Imported once its import is persisted
                    }
                    return recoveredOne(outstanding, toRecover, next, total, stash, projector, readyTo);
                })
                .onMessage(RecoveryFailure.class, f -> {
                    if (!quarantineIfPermanent(f)) {
                        return Behaviors.same();
                    }
                    // Counted as done: one commit that cannot be read must not keep the coordinator from starting.
                    if (importing[0]) {
                        outstanding[0]--;
                        return outstanding[0] == 0 ? ready(stash, projector, readyTo, total[0]) : Behaviors.same();
                    }
                    return recoveredOne(outstanding, toRecover, next, total, stash, projector, readyTo);
                })
                .onMessage(StartupFailed.class, f -> {
                    // Without the index the scheduler would re-run finished jobs: stop, the singleton restarts us.
                    ctx.getLog().error("cannot read the results journal: {}", f.error().toString());
                    throw new IllegalStateException("results journal unreadable", f.error());
                })
                .onMessage(Passivate.class, p -> Behaviors.same()) // recovery entities stay until ready
                .onMessage(EntityStopped.class, this::onEntityStopped)
                .onMessage(CommitCommand.class, c -> {
                    stash.stash(c);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> recoveredOne(int[] outstanding, Deque<String> toRecover, Runnable next, int[] total,
                                           StashBuffer<Command> stash, ActorRef<ResultsProjector.Command> projector,
                                           ActorRef<Ready> readyTo) {
        outstanding[0]--;
        next.run();
        if (outstanding[0] == 0 && toRecover.isEmpty()) {
            int bad = index.quarantined().size();
            ctx.getLog().info("results recovered from the journal: {} commits{}", total[0] - bad,
                    bad == 0 ? "" : ", " + bad + " quarantined");
            return ready(stash, projector, readyTo, total[0]);
        }
        return Behaviors.same();
    }

    /**
     * A failed recovery: retried (the entity restarts with back-off) when the journal did not answer, quarantined
     * when an event or snapshot cannot be read back, which would fail the same way for ever. Returns whether this
     * message quarantined the commit.
     */
    private boolean quarantineIfPermanent(RecoveryFailure f) {
        if (index.isQuarantined(f.sha())) {
            return false;
        }
        if (!RecoveryFailures.permanent(f.failure())) {
            LOG.warn("results of commit {} not readable yet, retrying: {}", f.sha(), f.failure().toString());
            return false;
        }
        ActorRef<CommitCommand> ref = live.remove(f.sha());
        if (ref != null) {
            ctx.stop(ref);
        }
        String reason = RecoveryFailures.reason(f.failure());
        index.quarantine(f.sha(), reason);
        listener.quarantined(index.quarantined().size());
        LOG.error("results of commit {} quarantined ({}): its journal events (persistence id {}) cannot be read back; "
                + "the coordinator runs without them and schedules nothing for this commit until they are repaired "
                + "or deleted (docs/operations.md)", f.sha(), reason, CommitEntity.persistenceId(f.sha()), f.failure());
        return true;
    }

    private Behavior<Command> ready(StashBuffer<Command> stash, ActorRef<ResultsProjector.Command> projector,
                                    ActorRef<Ready> readyTo, int commits) {
        projector.tell(new ResultsProjector.IndexReady());
        readyTo.tell(new Ready(commits));
        return stash.unstashAll(running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(CommitCommand.class, c -> {
                    route(c);
                    return Behaviors.same();
                })
                .onMessage(Passivate.class, this::onPassivate)
                .onMessage(EntityStopped.class, this::onEntityStopped)
                .onMessage(EntityRecovered.class, r -> Behaviors.same())
                .onMessage(RecoveryFailure.class, f -> {
                    quarantineIfPermanent(f); // an entity restarted after passivation found its journal unreadable
                    return Behaviors.same();
                })
                .onMessage(Imported.class, r -> Behaviors.same())
                .onMessage(Forget.class, this::onForget)
                .onMessage(Erased.class, this::onErased)
                .build();
    }

    private void route(CommitCommand c) {
        if (index.isQuarantined(c.sha())) {
            RecoveryFailures.answerQuarantined(c);
            LOG.warn("results of commit {} are quarantined: {} dropped", c.sha(), c.getClass().getSimpleName());
            return;
        }
        List<CommitCommand> queued = waiting.get(c.sha());
        if (queued != null) {
            queued.add(c);
        } else {
            entity(c.sha()).tell(c);
        }
    }


    private ActorRef<CommitCommand> entity(String sha) {
        return live.computeIfAbsent(sha, s -> {
            ActorRef<CommitCommand> ref = ctx.spawn(CommitEntity.create(s, deps), "commit-" + s);
            ctx.watchWith(ref, new EntityStopped(s));
            return ref;
        });
    }

    private Behavior<Command> onPassivate(Passivate p) {
        ActorRef<CommitCommand> ref = live.remove(p.sha());
        if (ref != null) {
            waiting.put(p.sha(), new ArrayList<>());
            ref.tell(new StopEntity(p.sha()));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onForget(Forget f) {
        ActorRef<CommitCommand> ref = live.remove(f.sha());
        forgetting.put(f.sha(), f.replyTo());
        if (ref != null) {
            waiting.putIfAbsent(f.sha(), new ArrayList<>());
            ref.tell(new StopEntity(f.sha()));
        } else if (!waiting.containsKey(f.sha())) {
            erase(f.sha());
        }
        return Behaviors.same();
    }

    private void erase(String sha) {
        ActorRef<Forgotten> replyTo = forgetting.remove(sha);
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                erasure.erase(CommitEntity.persistenceId(sha));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        ctx.pipeToSelf(f, (v, err) -> new Erased(sha, err, replyTo));
    }

    private Behavior<Command> onErased(Erased e) {
        if (e.error() == null) {
            index.remove(e.sha());
            ctx.getLog().info("results forgotten: commit={}", e.sha());
        } else {
            ctx.getLog().error("cannot forget results of {}: {}", e.sha(), e.error().toString());
        }
        if (e.replyTo() != null) {
            e.replyTo().tell(new Forgotten(e.sha(), e.error() == null));
        }
        // Commands that arrived meanwhile start a new (empty) entity.
        List<CommitCommand> queued = waiting.remove(e.sha());
        if (queued != null && !queued.isEmpty()) {
            ActorRef<CommitCommand> ref = entity(e.sha());
            queued.forEach(ref::tell);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onEntityStopped(EntityStopped s) {
        if (index.isQuarantined(s.sha()) && !forgetting.containsKey(s.sha())) {
            return Behaviors.same(); // stopped by its quarantine
        }
        if (forgetting.containsKey(s.sha())) {
            live.remove(s.sha());
            erase(s.sha());
            return Behaviors.same();
        }
        List<CommitCommand> queued = waiting.remove(s.sha());
        if (queued == null) {
            // Stopped without being asked (its journal back-off gave up): the next command for this commit
            // starts it again, recovering from the journal.
            live.remove(s.sha());
            ctx.getLog().warn("results entity stopped: commit={}", s.sha());
            return Behaviors.same();
        }
        if (!queued.isEmpty()) {
            ActorRef<CommitCommand> ref = entity(s.sha());
            queued.forEach(ref::tell);
        }
        return Behaviors.same();
    }
}
