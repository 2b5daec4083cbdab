package org.ktestci.launcher;

import com.typesafe.config.Config;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.ktestci.coordinator.ConfigMapping;
import org.ktestci.coordinator.ConfigWatcher;
import org.ktestci.coordinator.CoordinatorHandles;
import org.ktestci.coordinator.CoordinatorRoot;
import org.ktestci.coordinator.CoordinatorSetup;
import org.ktestci.coordinator.LiveConfig;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.branches.TrackedCommits;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.live.LiveMessage;
import org.ktestci.coordinator.live.LiveRelay;
import org.ktestci.coordinator.live.RecentVerdicts;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.queries.BranchHistory;
import org.ktestci.coordinator.queries.CoordinatorAdmin;
import org.ktestci.coordinator.bisect.KnownFailureMask;
import org.ktestci.coordinator.notify.Notifications;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.queries.LiveQueries;
import org.ktestci.coordinator.regressions.KnownIssuesJournalView;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.DurationCosts;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.dashboard.EventHub;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.node.ClusterNodeConfig;
import org.ktestci.protocol.node.IncarnationResponder;
import org.ktestci.schema.BuildVersion;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.worker.WorkerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running coordinator node: the actor system with the coordinator singleton, the dashboard and, with
 * {@code --with-worker}, a worker agent in the same JVM that still talks to the coordinator only through the
 * cluster protocol. Its parts are built in dependency order: what git and the config give first, then the
 * node's actors (the live-event topic, the singleton), then what asks the running actors (the live queries and
 * admin actions), and last the dashboard over all of it.
 */
public final class CoordinatorNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorNode.class);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final Repositories repos;

    private CoordinatorNode(ActorSystem<Void> system, ServerBinding binding, Repositories repos) {
        this.system = system;
        this.binding = binding;
        this.repos = repos;
    }

    /** What the node builds before its actor system: config, git, caches, metrics. */
    private record Parts(CiConfig config, boolean withWorker, LiveConfig live, Repositories repos, ResultsIndex index,
                         BranchFetchStatus fetchStatus, SubtestListingCache listings, PrometheusRegistry registry,
                         CoordinatorMetrics metrics, CoordinatorHandles handles, BranchHistory history,
                         EventHub hub, RecentVerdicts recent, TrackedCommits tracked) {}

    public static CoordinatorNode start(CiConfig config, boolean withWorker) throws IOException {
        Files.createDirectories(config.outputDir());
        Files.createDirectories(config.stateDir());
        ConfigMapping mapping = new ConfigMapping(config);
        LiveConfig live = new LiveConfig(config,
                withWorker ? ConfigRole.COORDINATOR_WITH_WORKER : ConfigRole.COORDINATOR);
        Repositories repos = new Repositories();
        BranchFetchStatus fetchStatus = new BranchFetchStatus();
        PrometheusRegistry registry = new PrometheusRegistry();
        Parts parts = new Parts(config, withWorker, live, repos, new ResultsIndex(), fetchStatus,
                new SubtestListingCache(config.ktestDir().resolve("tests"), mapping.lister()), registry,
                new CoordinatorMetrics(registry, BuildVersion.VERSION, ProtocolVersion.CURRENT),
                new CoordinatorHandles(),
                new BranchHistory(config.user(), () -> live.settings().keepResultsCommits(), live::branches, repos,
                        fetchStatus),
                new EventHub(), new RecentVerdicts(),
                new TrackedCommits(config.user(), live::branches, repos, () -> live.settings().keepResultsCommits()));

        List<String> roles = new ArrayList<>(List.of("coordinator"));
        if (withWorker) {
            roles.add("worker");
        }
        Config pekko = JournalConfig.build(config.persistence())
                .withFallback(ClusterNodeConfig.build(mapping.clusterSettings(roles, withWorker)));
        boolean joinSelf = mapping.joinSelf(withWorker);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
            if (joinSelf) {
                Cluster cluster = Cluster.get(ctx.getSystem());
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            spawnActors(ctx, parts);
            return Behaviors.empty();
        }), ClusterNodeConfig.SYSTEM_NAME, pekko);
        try {
            ServerBinding binding = DashboardServer.start(system, queries(system, parts), new DashboardSettings(
                            config.http().bindHost(), config.http().bindPort(), config.http().basePath(), registry)
                            .withAdminTokenFile(config.http().adminTokenFile()))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.info("dashboard listening on {}", binding.localAddress());
            // Under the service-requests-done phase's 5 s, so open SSE streams do not make it time out.
            binding.addToCoordinatedShutdown(Duration.ofSeconds(3), system);
            return new CoordinatorNode(system, binding, repos);
        } catch (Exception e) {
            system.terminate();
            try {
                // The H2 file stays locked until the system (and its connection pool) is gone.
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported below
            }
            repos.close();
            throw new IOException("cannot start the dashboard on " + config.http().bindHost() + ":"
                    + config.http().bindPort() + ": " + rootMessage(e), e);
        }
    }

    /**
     * The node's actors, in the guardian: the live-event topic first (the singleton publishes through it), then
     * what every coordinator node runs, the singleton, and the worker agent of {@code --with-worker}.
     */
    private static void spawnActors(ActorContext<Void> ctx, Parts p) {
        CiConfig config = p.config();
        // Lets workers left in the cluster of this node's previous start see that it is back and rejoin.
        ctx.spawn(IncarnationResponder.create(), IncarnationResponder.NAME);
        // Every coordinator node's hub is fed from the topic, so a standby's SSE clients see the singleton's
        // events with the same ids.
        ActorRef<Topic.Command<LiveMessage>> topic = ctx.spawn(LiveRelay.topic(), "live-events-topic");
        ctx.spawn(LiveRelay.create(topic, p.hub()), "live-events-relay");
        LiveEvents events = new LiveEvents(p.hub(), m -> topic.tell(Topic.publish(m)),
                p.history()::branchesContaining);
        OutputDir out = new OutputDir(config.outputDir());
        // The webhooks derive their events as the feed does, from git, the results and the known issues (its own
        // view of the admin-defined ones: they are re-read every 2 s anyway); the sender's threads stop with the node.
        CoordinatorQueries derived = new CoordinatorQueries(p.history(), config.outputDir(), p.index(),
                p.live()::config, new KnownIssuesJournalView(ctx.getSystem()), Optional.empty());
        Notifications notifications = new Notifications(p.live()::config, p.live()::branches, p.metrics(), derived,
                BuildVersion.VERSION);
        ctx.getSystem().getWhenTerminated().thenRun(notifications::close);
        CoordinatorSetup setup = new CoordinatorSetup(config.user(), out, p.live(), p.repos(), p.fetchStatus(),
                p.index(), p.listings(), new DurationCosts(out.root().resolve(OutputDir.DURATIONS_BLOB),
                config.subtestDurationDef()), sha -> p.history().commit(sha).map(CommitInfo::message).orElse(""),
                p.metrics(), p.handles(), config.persistence(), events, new CommitClock(), p.recent(), p.tracked(),
                notifications.inputs(p.metrics()),
                new KnownFailureMask(derived::knownIssues, out, derived::commitContains));
        // Node-level, not in the singleton: every coordinator node picks up an edited config file by itself and
        // keeps its own repos fresh, so a standby's dashboard and branch walks are current (README decision 12);
        // this node's fetcher rests while the singleton (whose watcher also schedules) runs here.
        ctx.spawn(ConfigWatcher.create(p.live()), "config-watcher");
        ActorRef<BranchWatcher.Command> standbyFetch = ctx.spawn(BranchWatcher.standby(config.user(),
                p.live()::branches, p.repos(), p.fetchStatus(), p.live()::fetchInterval, setup.fetchObserver(),
                () -> p.handles().get().isPresent()), "standby-branch-watcher");
        p.live().onApplied(l -> standbyFetch.tell(new BranchWatcher.ConfigChanged()));
        ClusterSingleton.get(ctx.getSystem()).init(SingletonActor.of(CoordinatorRoot.create(setup), "coordinator")
                .withSettings(ClusterSingletonSettings.create(ctx.getSystem()).withRole("coordinator")));
        if (p.withWorker()) {
            WorkerNode.spawnAgent(ctx, config);
        }
    }

    /** The dashboard's queries: git and the index, and the running singleton's live data and admin actions. */
    private static CoordinatorQueries queries(ActorSystem<Void> system, Parts p) {
        LiveQueries live = new LiveQueries(system, p.handles(), p.hub(), p.listings(), p.recent(), p.live());
        KnownIssuesJournalView knownIssues = new KnownIssuesJournalView(system);
        CoordinatorAdmin admin = new CoordinatorAdmin(live, p.live(), p.index(), p.repos(), p.tracked()::all,
                knownIssues::invalidate);
        return new CoordinatorQueries(p.history(), p.config().outputDir(), p.index(), p.live()::config, knownIssues,
                Optional.of(new CoordinatorQueries.Live(live, admin)));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public int httpPort() {
        return binding.localAddress().getPort();
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Blocks until the actor system terminates (Ctrl-C runs Pekko's coordinated shutdown). */
    public void awaitTermination() throws InterruptedException {
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @Override
    public void close() {
        // After a coordinated shutdown (SIGTERM) the binding was already unbound in its service-unbind phase.
        if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
            try {
                binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("dashboard unbind failed: {}", e.toString());
            }
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("actor system did not stop in time: {}", e.toString());
        }
        repos.close();
    }
}
