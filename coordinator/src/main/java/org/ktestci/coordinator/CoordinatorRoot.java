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
import org.ktestci.coordinator.results.CommitResults;
import org.ktestci.coordinator.results.ProjectionListener;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.GitRefillSource;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.util.concurrent.CompletableFuture;

/**
 * The coordinator singleton (README "Cluster and actors"). It starts in order: the journal's tables, then the
 * results (every commit recovered into the index), and only then the scheduler, branch watcher and worker
 * gateway, so nothing is scheduled from an incomplete view of what already has verdicts.
 */
public final class CoordinatorRoot {
    /** Every commit within keep_results_commits of a tracked tip (blocking: git walks). */
    static java.util.Set<String> liveBranchCommits(CoordinatorSetup s) throws java.io.IOException {
        java.util.Set<String> live = new java.util.HashSet<>();
        for (org.ktestci.coordinator.scheduling.BranchSpec b : s.branches()) {
            var repo = s.repos().get(b.repoPath());
            var tip = org.ktestci.schema.git.CommitLog.branchTip(repo, s.user(), b.name());
            if (tip.isPresent()) {
                org.ktestci.schema.git.CommitLog.walk(repo, tip.get(), s.settings().keepResultsCommits())
                        .forEach(c -> live.add(c.sha()));
            }
        }
        return live;
    }

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
                        s.index(), offset -> journal.eventsByTag(CommitResults.TAG, Offset.sequence(offset)),
                        rendered(s, latency)), "results-projector", DispatcherSelector.blocking());
        ResultsStore.JournalCommits ids = system -> journal.currentPersistenceIds()
                .filter(id -> id.startsWith("commit-"))
                .map(id -> id.substring("commit-".length()))
                .runWith(Sink.seq(), system);
        ActorRef<ResultsStore.Ready> ready = ctx.messageAdapter(ResultsStore.Ready.class, ResultsReady::new);
        JournalEraser eraser = new JournalEraser(s.persistence());
        ActorRef<ResultsStore.Command> results = ctx.spawn(ResultsStore.create(s.index(), s.outputDir(), ids,
                projector, ready, eraser::erase, new ResultsStore.Listener() {
                    @Override
                    public void recorded(org.ktestci.schema.status.Status status) {
                        s.metrics().verdicts.labelValues(status.jsonCode()).inc();
                        s.recent().recorded(status, System.currentTimeMillis());
                    }

                    @Override
                    public void recorded(String sha, String key, org.ktestci.schema.status.Status status,
                                         long receivedAtMillis) {
                        latency.received(sha, key, receivedAtMillis);
                    }

                    @Override
                    public void duplicate() {
                        s.metrics().duplicateVerdicts.inc();
                    }

                    @Override
                    public void quarantined(int count) {
                        s.metrics().journalQuarantined.set(count);
                    }
                }), "results-store");
        return Behaviors.receive(Command.class)
                .onMessage(ResultsReady.class, r -> startScheduling(ctx, s, results, incarnation))
                .build();
    }

    /**
     * After the projection wrote a commit: SSE verdict events, the verdict → visible latency, and the commit's
     * seen → first verdict time; then the node's own listener.
     */
    private static ProjectionListener rendered(CoordinatorSetup s, VerdictLatency latency) {
        return (sha, changed) -> {
            long now = System.currentTimeMillis();
            for (ResultRecord r : changed) {
                if (r.hasVerdict() || r.status() == org.ktestci.schema.status.Status.UNKNOWN) {
                    latency.visible(sha, r.key(), now).ifPresent(ms -> s.metrics().verdictVisible.observe(ms / 1000.0));
                    s.clock().firstVerdict(sha, now).ifPresent(ms -> s.metrics().commitFirstVerdict.observe(ms / 1000.0));
                    s.events().verdict(sha, r);
                }
            }
            s.listener().rendered(sha, changed);
        };
    }

    private static Behavior<Command> startScheduling(ActorContext<Command> ctx, CoordinatorSetup s,
                                                     ActorRef<ResultsStore.Command> results, int incarnation) {
        DispatcherSelector blocking = DispatcherSelector.blocking();
        LiveConfig live = s.live();
        ActorRef<ArtifactStore.Command> artifacts =
                ctx.spawn(ArtifactStore.create(s.outputDir()), "artifact-store", blocking);
        GitRefillSource source = new GitRefillSource(s.user(), live::branches, s.repos(), s.listings(), s.index(),
                s.costs(), () -> live.settings().keepResultsCommits(), () -> s.metrics().keyCollisions.inc())
                .withFlakeRetries(() -> live.config().regressions().flakeRetries())
                .withBisection(b -> java.util.Optional.ofNullable(live.config().branches().get(b)), s.knownFailures(),
                        results::tell);
        ActorRef<JobWindow.Command> window = ctx.spawn(JobWindow.create(JobWindow.PERSISTENCE_ID, live::settings,
                source, results, s.index(), s.metrics(), s.events(), s.clock()), "job-window");
        ActorRef<BranchWatcher.Command> watcher = ctx.spawn(BranchWatcher.create(s.user(), live::branches, s.repos(),
                s.fetchStatus(), window, live::fetchInterval, observer(s)), "branch-watcher");
        ActorRef<Maintenance.Command> maintenance = ctx.spawn(Maintenance.create(
                () -> new Maintenance.Settings(s.outputDir(), live.maintenanceInterval(), live.gcGrace()),
                () -> liveBranchCommits(s), s.index(), window, results), "maintenance");
        ActorRef<WorkerGateway.Command> gateway = WorkerGateway.commands(ctx.spawn(WorkerGateway.create(
                live::hostSlots, live::configuredHosts, window, results, artifacts, live::settings, s.metrics(),
                incarnation, s.events()), "worker-gateway"));
        java.util.function.Consumer<LiveConfig> onReload = l -> {
            watcher.tell(new BranchWatcher.ConfigChanged());
            window.tell(new JobWindow.RequestRefill("config_reload"));
        };
        live.onApplied(onReload);
        ActorRef<KnownIssueStore.Command> knownIssues = ctx.spawn(
                KnownIssueStore.create(), "known-issues");
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

    /** Fetch counters, first-seen times of new tips, and each branch's untested commits after its fetch. */
    static BranchWatcher.Observer observer(CoordinatorSetup s) {
        return new BranchWatcher.Observer() {
            @Override
            public void fetched(String branch, boolean ok) {
                s.metrics().fetches.labelValues(branch, ok ? "ok" : "error").inc();
            }

            @Override
            public void tipSeen(String sha, long atMillis) {
                s.clock().seenAtTip(sha, atMillis);
            }

            @Override
            public void afterFetch(org.ktestci.coordinator.scheduling.BranchSpec b) {
                try {
                    var repo = s.repos().get(b.repoPath());
                    var tip = org.ktestci.schema.git.CommitLog.branchTip(repo, s.user(), b.name());
                    long untested = 0;
                    if (tip.isPresent()) {
                        for (var c : org.ktestci.schema.git.CommitLog.walk(repo, tip.get(),
                                s.settings().keepResultsCommits())) {
                            untested += java.nio.file.Files.exists(s.outputDir().blob(c.sha())) ? 0 : 1;
                        }
                    }
                    s.metrics().untestedCommits.labelValues(b.name()).set(untested);
                } catch (java.io.IOException e) {
                    org.slf4j.LoggerFactory.getLogger(CoordinatorRoot.class)
                            .warn("cannot count untested commits: branch={}: {}", b.name(), e.getMessage());
                }
            }
        };
    }
}
