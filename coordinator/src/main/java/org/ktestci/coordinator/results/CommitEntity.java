package org.ktestci.coordinator.results;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.ktestci.coordinator.results.CommitEvent.ClaimReleased;
import org.ktestci.coordinator.results.CommitEvent.ClaimedKey;
import org.ktestci.coordinator.results.CommitEvent.ResultsCleared;
import org.ktestci.coordinator.results.CommitEvent.StartRecorded;
import org.ktestci.coordinator.results.CommitEvent.SubtestsClaimed;
import org.ktestci.coordinator.results.CommitEvent.VerdictRecorded;
import org.ktestci.coordinator.results.CommitEvent.VerdictsImported;
import org.ktestci.coordinator.results.ResultsStore.Claim;
import org.ktestci.coordinator.results.ResultsStore.Clear;
import org.ktestci.coordinator.results.ResultsStore.CommitCommand;
import org.ktestci.coordinator.results.ResultsStore.FailedToRun;
import org.ktestci.coordinator.results.ResultsStore.Idle;
import org.ktestci.coordinator.results.ResultsStore.Import;
import org.ktestci.coordinator.results.ResultsStore.Release;
import org.ktestci.coordinator.results.ResultsStore.Started;
import org.ktestci.coordinator.results.ResultsStore.StopEntity;
import org.ktestci.coordinator.results.ResultsStore.Verdict;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One commit's results, event-sourced (persistence id {@code commit-<sha>}, events tagged {@code results},
 * snapshot every 1000 events): claims, starts, verdicts, releases, clears and imports, with the rule that the
 * first verdict stands (storage.md §7.1). After each event it updates the {@link ResultsIndex} and tells the
 * projector which commit to render.
 */
public final class CommitEntity extends EventSourcedBehavior<CommitCommand, CommitEvent, CommitState> {
    public static final String TAG = "results";
    static final String PERSISTENCE_PREFIX = "commit-";
    private static final Duration IDLE = Duration.ofSeconds(120);

    /** What every entity shares: the index it keeps current, the projector, and its parent. */
    record Deps(ResultsIndex index, ActorRef<ResultsProjector.Command> projector,
                ActorRef<ResultsStore.Command> parent, VerdictListener listener) {}

    private final String sha;
    private final Deps deps;
    private final ActorContext<CommitCommand> ctx;

    static Behavior<CommitCommand> create(String sha, Deps deps) {
        return Behaviors.setup(ctx -> {
            ctx.setReceiveTimeout(IDLE, new Idle(sha));
            return new CommitEntity(ctx, sha, deps);
        });
    }

    public static String persistenceId(String sha) {
        return PERSISTENCE_PREFIX + sha;
    }

    private CommitEntity(ActorContext<CommitCommand> ctx, String sha, Deps deps) {
        super(PersistenceId.ofUniqueId(persistenceId(sha)),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.ctx = ctx;
        this.sha = sha;
        this.deps = deps;
    }

    @Override
    public CommitState emptyState() {
        return new CommitState();
    }

    @Override
    public Set<String> tagsFor(CommitEvent event) {
        return Set.of(TAG);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(1000, 2);
    }

    @Override
    public SnapshotAdapter<CommitState> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(CommitState state) {
                return new CommitSnapshot(state.records(), state.releasedAttempts());
            }

            @Override
            public CommitState fromJournal(Object from) {
                CommitSnapshot snapshot = (CommitSnapshot) from;
                return CommitState.of(snapshot.records(), snapshot.released());
            }
        };
    }

    @Override
    public EventHandler<CommitState, CommitEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
            state.apply(event);
            return state;
        });
    }

    @Override
    public SignalHandler<CommitState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    deps.index().replace(sha, state.view());
                    deps.parent().tell(new ResultsStore.EntityRecovered(sha));
                })
                // The parent decides: an unreadable event is quarantined, a journal outage is retried.
                .onSignal(RecoveryFailed.class, (state, failed) ->
                        deps.parent().tell(new ResultsStore.RecoveryFailure(sha, failed.getFailure())))
                .build();
    }

    /** An event waiting to be written, the keys it touches, and what to do once it is durable. */
    private record Write(CommitEvent event, List<String> keys, Consumer<CommitState> after) {}

    /**
     * Group commit: commands arriving together (a busy farm where many slots run one commit, a worker catching
     * up) become events buffered until a {@link ResultsStore.FlushWrites} queued behind them, then go to the
     * journal in one write, in arrival order. Decisions (first verdict stands, claimed by this lease) are taken
     * against the state as the buffered events will leave it ({@link #pending}).
     */
    private final List<Write> buffer = new ArrayList<>();
    private final CommitState pending = new CommitState();
    private boolean flushQueued;

    @Override
    public CommandHandler<CommitCommand, CommitEvent, CommitState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Claim.class, this::onClaim)
                .onCommand(Started.class, this::onStarted)
                .onCommand(Verdict.class, this::onVerdict)
                .onCommand(ResultsStore.Observe.class, this::onObserve)
                .onCommand(ResultsStore.RecordFirstBad.class, this::onFirstBad)
                .onCommand(ResultsStore.FlushWrites.class, (s, c) -> {
                    flushQueued = false;
                    return flush();
                })
                .onCommand(FailedToRun.class, this::onFailedToRun)
                .onCommand(Release.class, this::onRelease)
                .onCommand(Clear.class, this::onClear)
                .onCommand(Import.class, this::onImport)
                .onCommand(Idle.class, (s, c) -> {
                    deps.parent().tell(new ResultsStore.Passivate(sha));
                    return Effect().none();
                })
                .onCommand(StopEntity.class, (s, c) -> buffer.isEmpty() ? Effect().stop() : flush().thenStop())
                .build();
    }

    private ResultRecord effective(CommitState state, String key) {
        return pending.effective(state, key);
    }

    private Effect<CommitEvent, CommitState> onClaim(CommitState state, Claim c) {
        List<ClaimedKey> keys = c.keys().stream().filter(k -> {
            ResultRecord r = effective(state, k.key());
            return r == null || !r.hasVerdict();
        }).toList();
        if (keys.isEmpty()) {
            return Effect().none();
        }
        return enqueue(state, new Write(new SubtestsClaimed(sha, keys, c.leaseId(), c.epoch(), c.host(), c.slot(),
                c.arch(), c.atSeconds()), keys.stream().map(ClaimedKey::key).toList(), s -> { }));
    }

    private Effect<CommitEvent, CommitState> onStarted(CommitState state, Started s) {
        ResultRecord r = effective(state, s.key());
        if (r == null || r.hasVerdict() || !r.leaseId().equals(s.leaseId())) {
            return Effect().none();
        }
        return enqueue(state, new Write(new StartRecorded(sha, s.key(), s.leaseId(), s.atSeconds()),
                List.of(s.key()), st -> { }));
    }

    private Effect<CommitEvent, CommitState> onVerdict(CommitState state, Verdict v) {
        ResultRecord claimed = effective(state, v.key());
        VerdictOutcome.Result refusal = claimed == null || !claimed.leaseId().equals(v.leaseId())
                ? VerdictOutcome.Result.NOT_CLAIMED : claimed.hasVerdict() ? VerdictOutcome.Result.DUPLICATE : null;
        if (refusal != null) {
            ctx.getLog().warn("verdict rejected ({}): commit={} key={} lease={}", refusal, sha, v.key(), v.leaseId());
            v.replyTo().tell(new VerdictOutcome(sha, v.key(), refusal, v.token()));
            if (refusal == VerdictOutcome.Result.DUPLICATE) {
                deps.listener().duplicate();
            }
            return Effect().none();
        }
        Status status = StatusParser.parse(v.statusLine());
        VerdictRecorded e = new VerdictRecorded(sha, v.key(), status, v.statusLine(), v.durationSecs(),
                v.startedAtSeconds(), v.finishedAtSeconds(), v.leaseId(), v.epoch(), v.fullLogKey(),
                status == Status.UNKNOWN ? "unknown_status" : "", v.run(), System.currentTimeMillis(),
                v.fullLogRerun());
        return enqueue(state, new Write(e, List.of(v.key()), s -> {
            ctx.getLog().info("verdict: commit={} key={} status={} lease={} slot={}:{}", sha, v.key(),
                    status.display(), v.leaseId(), claimed.host(), claimed.slot());
            v.replyTo().tell(new VerdictOutcome(sha, v.key(), VerdictOutcome.Result.RECORDED, v.token()));
            deps.listener().recorded(status);
            deps.listener().recorded(sha, v.key(), status, e.recordedAtMillis());
        }));
    }

    /** A re-run: an observation of a key with a verdict, never a second verdict ("first verdict stands"). */
    private Effect<CommitEvent, CommitState> onObserve(CommitState state, ResultsStore.Observe o) {
        ResultRecord r = effective(state, o.key());
        VerdictOutcome.Result refusal = r == null || !r.hasVerdict() ? VerdictOutcome.Result.NOT_CLAIMED
                : r.observed(o.n()) ? VerdictOutcome.Result.DUPLICATE : null;
        if (refusal != null) {
            ctx.getLog().warn("observation rejected ({}): commit={} key={} n={} lease={}", refusal, sha, o.key(),
                    o.n(), o.leaseId());
            o.replyTo().tell(new VerdictOutcome(sha, o.key(), refusal, o.token()));
            return Effect().none();
        }
        Status status = StatusParser.parse(o.statusLine());
        CommitEvent.ObservationRecorded e = new CommitEvent.ObservationRecorded(sha, o.key(), o.n(), status,
                o.statusLine(), o.durationSecs(), o.leaseId(), o.host(), o.slot(), o.finishedAtSeconds(),
                o.fullLogKey(), o.fullLogRerun());
        return enqueue(state, new Write(e, List.of(o.key()), s -> {
            ctx.getLog().info("re-run observed: commit={} key={} n={} status={} first={} lease={} slot={}:{}", sha,
                    o.key(), o.n(), status.display(), r.status().display(), o.leaseId(), o.host(), o.slot());
            o.replyTo().tell(new VerdictOutcome(sha, o.key(), VerdictOutcome.Result.RECORDED, o.token()));
        }));
    }

    private Effect<CommitEvent, CommitState> onFirstBad(CommitState state, ResultsStore.RecordFirstBad f) {
        ResultRecord r = effective(state, f.key());
        if (r == null || !r.hasVerdict() || f.firstBad().equals(r.firstBad())) {
            return Effect().none();
        }
        CommitEvent.FirstBadFound e = new CommitEvent.FirstBadFound(sha, f.key(), f.firstBad(),
                System.currentTimeMillis() / 1000);
        return enqueue(state, new Write(e, List.of(f.key()), s ->
                ctx.getLog().info("bisection: commit={} key={} {}", sha, f.key(), f.firstBad().line())));
    }

    private Effect<CommitEvent, CommitState> enqueue(CommitState state, Write w) {
        buffer.add(w);
        pending.applyOver(state, w.event());
        if (!flushQueued) {
            flushQueued = true;
            ctx.getSelf().tell(new ResultsStore.FlushWrites(sha));
        }
        return Effect().none();
    }

    private Effect<CommitEvent, CommitState> onFailedToRun(CommitState state, FailedToRun f) {
        ResultRecord r = effective(state, f.key());
        if (r == null || r.hasVerdict() || !r.leaseId().equals(f.leaseId())) {
            return Effect().none();
        }
        long now = System.currentTimeMillis();
        VerdictRecorded e = new VerdictRecorded(sha, f.key(), Status.FAILED_TO_RUN, "FAILED TO RUN", 0, 0,
                now / 1000, f.leaseId(), 0, "", f.reason(), "", now);
        return enqueue(state, new Write(e, List.of(f.key()), s -> {
            ctx.getLog().info("failed to run: commit={} key={} reason={} lease={}", sha, f.key(), f.reason(),
                    f.leaseId());
            deps.listener().recorded(Status.FAILED_TO_RUN);
            deps.listener().recorded(sha, f.key(), Status.FAILED_TO_RUN, now);
        }));
    }

    private Effect<CommitEvent, CommitState> onRelease(CommitState state, Release rel) {
        List<String> keys = rel.keys().stream().distinct().filter(k -> {
            ResultRecord r = effective(state, k);
            return r != null && r.status() == Status.INPROGRESS && r.leaseId().equals(rel.leaseId());
        }).toList();
        if (keys.isEmpty()) {
            return Effect().none();
        }
        Map<String, String> own = new HashMap<>();
        keys.forEach(k -> {
            String why = rel.reasons().get(k);
            if (why != null && !why.equals(rel.reason())) {
                own.put(k, why);
            }
        });
        return enqueue(state, new Write(new ClaimReleased(sha, keys, rel.leaseId(), rel.reason(), own,
                System.currentTimeMillis() / 1000), keys, s ->
                ctx.getLog().info("claims released: commit={} keys={} lease={} reason={}", sha, keys.size(),
                        rel.leaseId(), rel.reason())));
    }

    private Effect<CommitEvent, CommitState> onClear(CommitState state, Clear c) {
        List<String> keys = c.keys().stream().distinct().filter(k -> effective(state, k) != null).toList();
        if (keys.isEmpty()) {
            c.replyTo().tell(new ResultsStore.Cleared(sha, List.of()));
            return Effect().none();
        }
        return enqueue(state, new Write(new ResultsCleared(sha, keys, c.reason(), c.requestedBy()), keys,
                s -> c.replyTo().tell(new ResultsStore.Cleared(sha, keys))));
    }

    private Effect<CommitEvent, CommitState> onImport(CommitState state, Import im) {
        return enqueue(state, new Write(new VerdictsImported(sha, im.entries(), im.source()),
                im.entries().stream().map(CommitEvent.ImportedEntry::key).toList(), s -> {
                    deps.parent().tell(new ResultsStore.Imported(sha));
                    if (im.done() != null) {
                        im.done().tell(new ResultsStore.ImportDone(sha));
                    }
                }));
    }

    /**
     * Writes what is buffered and {@code extra} in one journal write, then mirrors the touched keys into the
     * index, marks the commit for the projector and runs each write's follow-up.
     */
    private EffectBuilder<CommitEvent, CommitState> flush(Write... extra) {
        List<Write> all = new ArrayList<>(buffer);
        all.addAll(List.of(extra));
        buffer.clear();
        pending.clearOverlay();
        if (all.isEmpty()) {
            return Effect().none();
        }
        List<CommitEvent> events = all.stream().map(Write::event).toList();
        Set<String> keys = new HashSet<>();
        Set<String> removed = new HashSet<>();
        for (Write w : all) {
            keys.addAll(w.keys());
            removed.addAll(removedKeys(w.event()));
        }
        return Effect().persist(events).thenRun(state -> {
            deps.index().update(sha, state.view(), keys);
            deps.projector().tell(new ResultsProjector.Dirty(sha, Set.copyOf(removed)));
            all.forEach(w -> w.after().accept(state));
        });
    }

    private static Set<String> removedKeys(CommitEvent e) {
        if (e instanceof ClaimReleased r) {
            return Set.copyOf(r.keys());
        }
        if (e instanceof ResultsCleared c) {
            return Set.copyOf(c.keys());
        }
        return Set.of();
    }
}
