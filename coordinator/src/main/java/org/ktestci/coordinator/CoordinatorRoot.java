package org.ktestci.coordinator;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.execution.ArtifactStore;
import org.ktestci.coordinator.execution.WorkerGateway;
import org.ktestci.coordinator.journal.JournalEraser;
import org.ktestci.coordinator.journal.JournalSchema;
import org.ktestci.coordinator.maintenance.Maintenance;
import org.ktestci.coordinator.live.VerdictLatency;
import org.ktestci.coordinator.regressions.KnownIssueStore;
import org.ktestci.coordinator.notify.Notifier;
import org.ktestci.coordinator.results.CommitEntity;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.BisectionHooks;
import org.ktestci.coordinator.scheduling.GitRefillSource;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The coordinator singleton (README "Cluster and actors"). It starts in order: the journal's tables, then the
 * results (every commit recovered into the index), and only then the scheduler, branch watcher and worker
 * gateway, so nothing is scheduled from an incomplete view of what already has verdicts.
 */
public final class CoordinatorRoot {
    public sealed interface Command {}

    private record SchemaReady() implements Command {}

    private record SchemaFailed(Throwable error) implements Command {}

    private record ResultsReady(ResultsStore.Ready ready) implements Command {}

    private CoordinatorRoot() {
    }

    public static Behavior<Command> create(CoordinatorSetup s) {
        return Behaviors.setup(ctx -> {
            CompletableFuture<Void> schema = CompletableFuture.runAsync(() -> {
                try {
                    JournalSchema.createIfMissing(ctx.getSystem());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
            ctx.pipeToSelf(schema, (v, err) -> err == null ? new SchemaReady() : new SchemaFailed(err));
            return Behaviors.receive(Command.class)
                    .onMessage(SchemaReady.class, r -> startResults(ctx, s))
                    .onMessage(SchemaFailed.class, f -> {
                        ctx.getLog().error("cannot create the journal tables: {}", f.error().toString());
                        throw new IllegalStateException("journal unavailable", f.error());
                    })
                    .build();
        });
    }

    private static Behavior<Command> startResults(ActorContext<Command> ctx, CoordinatorSetup s) {
        // Before the projector runs: its verdict events already carry this incarnation's ids.
        int incarnation = WorkerGateway.newIncarnation();
        s.events().incarnation(incarnation);
        JdbcReadJournal journal = PersistenceQuery.get(ctx.getSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        VerdictLatency latency = new VerdictLatency();
        ActorRef<ResultsProjector.Command> projector = ctx.spawn(ResultsProjector.create(s.outputDir(), s.messages(),
                        s.index(), offset -> journal.eventsByTag(CommitEntity.TAG, Offset.sequence(offset)),
                        new VerdictPublisher(s.events(), latency, s.clock(), s.metrics())), "results-projector",
                DispatcherSelector.blocking());
        ResultsStore.JournalCommits ids = system -> journal.currentPersistenceIds()
                .filter(id -> id.startsWith("commit-"))
                .map(id -> id.substring("commit-".length()))
                .runWith(Sink.seq(), system);
        ActorRef<ResultsStore.Ready> ready = ctx.messageAdapter(ResultsStore.Ready.class, ResultsReady::new);
        JournalEraser eraser = new JournalEraser(s.persistence());
        ActorRef<ResultsStore.Command> results = ctx.spawn(ResultsStore.create(s.index(), s.outputDir(), ids,
                projector, ready, eraser::erase, new VerdictMetrics(s.metrics(), s.recent(), latency)),
                "results-store");
        return Behaviors.receive(Command.class)
                .onMessage(ResultsReady.class, r -> startScheduling(ctx, s, results, incarnation))
                .build();
    }

    private static Behavior<Command> startScheduling(ActorContext<Command> ctx, CoordinatorSetup s,
                                                     ActorRef<ResultsStore.Command> results, int incarnation) {
        DispatcherSelector blocking = DispatcherSelector.blocking();
        LiveConfig live = s.live();
        ActorRef<ArtifactStore.Command> artifacts =
                ctx.spawn(ArtifactStore.create(s.outputDir()), "artifact-store", blocking);
        GitRefillSource source = new GitRefillSource(s.user(), live::branches, s.repos(), s.listings(), s.index(),
                s.costs(), () -> live.settings().keepResultsCommits(), () -> s.metrics().keyCollisions.inc(),
                () -> live.config().regressions().flakeRetries(),
                new BisectionHooks(b -> Optional.ofNullable(live.config().branches().get(b)), s.knownFailures(),
                        results::tell));
        ActorRef<JobWindow.Command> window = ctx.spawn(JobWindow.create(JobWindow.PERSISTENCE_ID, live::settings,
                source, results, s.index(), s.metrics(), s.events(), s.clock()), "job-window");
        ActorRef<BranchWatcher.Command> watcher = ctx.spawn(BranchWatcher.create(s.user(), live::branches, s.repos(),
                s.fetchStatus(), window, live::fetchInterval, s.fetchObserver()), "branch-watcher");
        ActorRef<Maintenance.Command> maintenance = ctx.spawn(Maintenance.create(
                () -> new Maintenance.Settings(s.outputDir(), live.maintenanceInterval(), live.gcGrace()),
                s.tracked()::all, s.index(), window, results), "maintenance");
        ActorRef<WorkerGateway.Command> gateway = WorkerGateway.commands(ctx.spawn(WorkerGateway.create(
                live::hostSlots, live::configuredHosts, window, results, artifacts, live::settings, s.metrics(),
                incarnation, s.events()), "worker-gateway"));
        Consumer<LiveConfig> onReload = l -> {
            watcher.tell(new BranchWatcher.ConfigChanged());
            window.tell(new JobWindow.RequestRefill("config_reload"));
        };
        live.onApplied(onReload);
        ActorRef<KnownIssueStore.Command> knownIssues = ctx.spawn(
                KnownIssueStore.create(), "known-issues");
        ctx.spawn(Notifier.create(s.notifier()), "notifier");
        CoordinatorHandles.Refs refs = new CoordinatorHandles.Refs(window, gateway, results, watcher, maintenance,
                incarnation, knownIssues);
        s.handles().publish(refs);
        ctx.getLog().info("coordinator started: branches={} output_dir={} incarnation={}", s.branches().size(),
                s.outputDir().root(), Integer.toHexString(incarnation));
        return Behaviors.receive(Command.class)
                .onSignal(PostStop.class, sig -> {
                    live.removeListener(onReload);
                    s.handles().clear(refs);
                    return Behaviors.same();
                })
                .build();
    }
}
