package org.ktestci.coordinator.results;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.ktestci.coordinator.journal.JsonSerializable;
import org.ktestci.coordinator.results.CommitEvent.ClaimReleased;
import org.ktestci.coordinator.results.CommitEvent.ClaimedKey;
import org.ktestci.coordinator.results.CommitEvent.ResultsCleared;
import org.ktestci.coordinator.results.CommitEvent.SubtestStarted;
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
import org.ktestci.coordinator.results.ResultsStore.VerdictOutcome;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One commit's results, event-sourced (persistence id {@code commit-<sha>}, events tagged {@code results},
 * snapshot every 1000 events): claims, starts, verdicts, releases, clears and imports, with the rule that the
 * first verdict stands (storage.md §7.1). After each event it updates the {@link ResultsIndex} and tells the
 * projector which commit to render.
 */
public final class CommitResults extends EventSourcedBehavior<CommitCommand, CommitEvent, CommitState> {
    public static final String TAG = "results";
    static final String PERSISTENCE_PREFIX = "commit-";
    private static final Duration IDLE = Duration.ofSeconds(120);

    /** What every entity shares: the index it keeps current, the projector, and its parent. */
    record Deps(ResultsIndex index, ActorRef<ResultsProjector.Command> projector,
                ActorRef<ResultsStore.Command> parent) {}

    /** The snapshot form of {@link CommitState} (a copy: the live state is mutated in place). */
    public record CommitSnapshot(List<ResultRecord> records) implements JsonSerializable {}

    private final String sha;
    private final Deps deps;
    private final ActorContext<CommitCommand> ctx;

    static Behavior<CommitCommand> create(String sha, Deps deps) {
        return Behaviors.setup(ctx -> {
            ctx.setReceiveTimeout(IDLE, new Idle(sha));
            return new CommitResults(ctx, sha, deps);
        });
    }

    public static String persistenceId(String sha) {
        return PERSISTENCE_PREFIX + sha;
    }

    private CommitResults(ActorContext<CommitCommand> ctx, String sha, Deps deps) {
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
                return new CommitSnapshot(state.records());
            }

            @Override
            public CommitState fromJournal(Object from) {
                return CommitState.of(((CommitSnapshot) from).records());
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
                .build();
    }

    @Override
    public CommandHandler<CommitCommand, CommitEvent, CommitState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Claim.class, this::onClaim)
                .onCommand(Started.class, this::onStarted)
                .onCommand(Verdict.class, this::onVerdict)
                .onCommand(FailedToRun.class, this::onFailedToRun)
                .onCommand(Release.class, this::onRelease)
                .onCommand(Clear.class, this::onClear)
                .onCommand(Import.class, this::onImport)
                .onCommand(Idle.class, (s, c) -> {
                    deps.parent().tell(new ResultsStore.Passivate(sha));
                    return Effect().none();
                })
                .onCommand(StopEntity.class, (s, c) -> Effect().stop())
                .build();
    }

    private Effect<CommitEvent, CommitState> onClaim(CommitState state, Claim c) {
        List<ClaimedKey> keys = state.claimable(c.keys());
        if (keys.isEmpty()) {
            return Effect().none();
        }
        return persistAndPublish(new SubtestsClaimed(sha, keys, c.leaseId(), c.epoch(), c.host(), c.slot(), c.arch(),
                c.atSeconds()), keys.stream().map(ClaimedKey::key).toList());
    }

    private Effect<CommitEvent, CommitState> onStarted(CommitState state, Started s) {
        ResultRecord r = state.get(s.key());
        if (r == null || r.hasVerdict() || !r.leaseId().equals(s.leaseId())) {
            return Effect().none();
        }
        return persistAndPublish(new SubtestStarted(sha, s.key(), s.leaseId(), s.atSeconds()), List.of(s.key()));
    }

    private Effect<CommitEvent, CommitState> onVerdict(CommitState state, Verdict v) {
        String refusal = state.verdictRefusal(v.key(), v.leaseId());
        if (refusal != null) {
            ctx.getLog().warn("verdict rejected ({}): commit={} key={} lease={}", refusal, sha, v.key(), v.leaseId());
            v.replyTo().tell(new VerdictOutcome(sha, v.key(), refusal));
            return Effect().none();
        }
        Status status = StatusParser.parse(v.statusLine());
        ResultRecord claimed = state.get(v.key());
        VerdictRecorded e = new VerdictRecorded(sha, v.key(), status, v.statusLine(), v.durationSecs(),
                v.startedAtSeconds(), v.finishedAtSeconds(), v.leaseId(), v.epoch(), v.fullLogKey(),
                status == Status.UNKNOWN ? "unknown_status" : "", v.run(), System.currentTimeMillis());
        return persistAndPublish(e, List.of(v.key())).thenRun(s -> {
            ctx.getLog().info("verdict: commit={} key={} status={} lease={} slot={}:{}", sha, v.key(),
                    status.display(), v.leaseId(), claimed.host(), claimed.slot());
            v.replyTo().tell(new VerdictOutcome(sha, v.key(), "recorded"));
        });
    }

    private Effect<CommitEvent, CommitState> onFailedToRun(CommitState state, FailedToRun f) {
        ResultRecord r = state.get(f.key());
        if (r == null || r.hasVerdict() || !r.leaseId().equals(f.leaseId())) {
            return Effect().none();
        }
        long now = System.currentTimeMillis();
        VerdictRecorded e = new VerdictRecorded(sha, f.key(), Status.FAILED_TO_RUN, "FAILED TO RUN", 0, 0,
                now / 1000, f.leaseId(), 0, "", f.reason(), "", now);
        return persistAndPublish(e, List.of(f.key())).thenRun(s -> ctx.getLog().info(
                "failed to run: commit={} key={} reason={} lease={}", sha, f.key(), f.reason(), f.leaseId()));
    }

    private Effect<CommitEvent, CommitState> onRelease(CommitState state, Release rel) {
        List<String> keys = state.releasable(rel.keys(), rel.leaseId());
        if (keys.isEmpty()) {
            return Effect().none();
        }
        return persistAndPublish(new ClaimReleased(sha, keys, rel.leaseId(), rel.reason()), keys).thenRun(s ->
                ctx.getLog().info("claims released: commit={} keys={} lease={} reason={}", sha, keys.size(),
                        rel.leaseId(), rel.reason()));
    }

    private Effect<CommitEvent, CommitState> onClear(CommitState state, Clear c) {
        List<String> keys = c.keys().stream().distinct().filter(k -> state.get(k) != null).toList();
        if (keys.isEmpty()) {
            c.replyTo().tell(new ResultsStore.Cleared(sha, List.of()));
            return Effect().none();
        }
        return persistAndPublish(new ResultsCleared(sha, keys, c.reason(), c.requestedBy()), keys)
                .thenRun(s -> c.replyTo().tell(new ResultsStore.Cleared(sha, keys)));
    }

    private Effect<CommitEvent, CommitState> onImport(CommitState state, Import im) {
        return persistAndPublish(new VerdictsImported(sha, im.entries(), im.source()),
                im.entries().stream().map(CommitEvent.ImportedEntry::key).toList())
                .thenRun(s -> {
                    deps.parent().tell(new ResultsStore.Imported(sha));
                    if (im.done() != null) {
                        im.done().tell(new ResultsStore.ImportDone(sha));
                    }
                });
    }

    /** Persists, then mirrors the touched keys into the index and marks the commit for the projector. */
    private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<CommitEvent, CommitState> persistAndPublish(
            CommitEvent e, List<String> keys) {
        return Effect().persist(e).thenRun(state -> {
            deps.index().update(sha, state.view(), new HashSet<>(keys));
            deps.projector().tell(new ResultsProjector.Dirty(sha, removedKeys(e)));
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
