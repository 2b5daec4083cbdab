package org.ktestci.coordinator;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.BranchWatcher;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.live.CommitClock;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.live.LiveMessage;
import org.ktestci.coordinator.live.LiveRelay;
import org.ktestci.coordinator.live.RecentVerdicts;
import org.ktestci.coordinator.queries.CoordinatorAdmin;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.queries.LiveQueries;
import org.ktestci.coordinator.regressions.KnownIssuesJournalView;
import org.ktestci.dashboard.EventHub;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ProjectionListener;
import org.ktestci.coordinator.scheduling.DurationCosts;
import org.ktestci.protocol.ProtocolVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.ktestci.coordinator.scheduling.SubtestListingCache;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.protocol.node.ClusterNodeConfig;
import org.ktestci.protocol.node.IncarnationResponder;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.worker.WorkerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running coordinator node: the actor system with the coordinator singleton, the dashboard and, with
 * {@code --with-worker}, a worker agent in the same JVM that still talks to the coordinator only through the
 * cluster protocol.
 */
public final class CoordinatorNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorNode.class);
    public static final String VERSION = "0.1.0";

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final Repositories repos;

    private CoordinatorNode(ActorSystem<Void> system, ServerBinding binding, Repositories repos) {
        this.system = system;
        this.binding = binding;
        this.repos = repos;
    }

    public static CoordinatorNode start(CiConfig config, boolean withWorker) throws IOException {
        Files.createDirectories(config.outputDir());
        Files.createDirectories(config.stateDir());
        OutputDir out = new OutputDir(config.outputDir());
        ConfigMapping mapping = new ConfigMapping(config);
        Repositories repos = new Repositories();
        ResultsIndex index = new ResultsIndex();
        BranchFetchStatus fetchStatus = new BranchFetchStatus();
        SubtestListingCache listings = new SubtestListingCache(config.ktestDir().resolve("tests"),
                mapping.lister());
        PrometheusRegistry registry = new PrometheusRegistry();
        CoordinatorMetrics metrics = new CoordinatorMetrics(registry, VERSION, ProtocolVersion.CURRENT);
        CoordinatorHandles handles = new CoordinatorHandles();
        LiveConfig live = new LiveConfig(config,
                withWorker ? ConfigRole.COORDINATOR_WITH_WORKER : ConfigRole.COORDINATOR);
        CoordinatorQueries queries = new CoordinatorQueries(config.user(), config.outputDir(),
                () -> live.settings().keepResultsCommits(), live::branches, repos, fetchStatus, index)
                .withConfig(live::config);
        DurationCosts costs = new DurationCosts(out.root().resolve(OutputDir.DURATIONS_BLOB),
                config.subtestDurationDef());
        LiveEvents events = new LiveEvents(new EventHub(), queries::branchesContaining);
        RecentVerdicts recent = new RecentVerdicts();
        CoordinatorSetup setup = new CoordinatorSetup(config.user(), out, live, repos, fetchStatus, index, listings,
                costs, sha -> queries.commit(sha).map(c -> c.message()).orElse(""), metrics, ProjectionListener.NONE,
                handles, config.persistence(), events, new CommitClock(), recent,
                new org.ktestci.coordinator.bisect.KnownFailureMask(queries::knownIssues, out, queries::commitContains));

        List<String> roles = new ArrayList<>(List.of("coordinator"));
        if (withWorker) {
            roles.add("worker");
        }
        Config pekko = JournalConfig.build(config.persistence())
                .withFallback(ClusterNodeConfig.build(mapping.clusterSettings(roles, withWorker)));
        Behavior<Void> guardian = Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            if (mapping.joinSelf(withWorker)) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            // Lets workers left in the cluster of this node's previous start see that it is back and rejoin.
            ctx.spawn(IncarnationResponder.create(), IncarnationResponder.NAME);
            // Every coordinator node's hub is fed from the topic, so a standby's SSE clients see the singleton's
            // events with the same ids.
            ActorRef<Topic.Command<LiveMessage>> topic = ctx.spawn(LiveRelay.topic(), "live-events-topic");
            ctx.spawn(LiveRelay.create(topic, events.hub()), "live-events-relay");
            events.relayThrough(m -> topic.tell(Topic.publish(m)));
            // Node-level, not in the singleton: every coordinator node picks up an edited config file by itself and
            // keeps its own repos fresh, so a standby's dashboard and branch walks are current (README decision 12);
            // this node's fetcher rests while the singleton (whose watcher also schedules) runs here.
            ctx.spawn(ConfigWatcher.create(live), "config-watcher");
            ActorRef<BranchWatcher.Command> standbyFetch = ctx.spawn(BranchWatcher.standby(config.user(),
                    live::branches, repos, fetchStatus, live::fetchInterval, CoordinatorRoot.observer(setup),
                    () -> handles.get().isPresent()), "standby-branch-watcher");
            live.onApplied(l -> standbyFetch.tell(new BranchWatcher.ConfigChanged()));
            ClusterSingleton.get(ctx.getSystem()).init(SingletonActor.of(CoordinatorRoot.create(setup), "coordinator")
                    .withSettings(ClusterSingletonSettings.create(ctx.getSystem()).withRole("coordinator")));
            if (withWorker) {
                WorkerNode.spawnAgent(ctx, config);
            }
            return Behaviors.empty();
        });
        ActorSystem<Void> system = ActorSystem.create(guardian, ClusterNodeConfig.SYSTEM_NAME, pekko);
        LiveQueries liveQueries = new LiveQueries(system, handles, events, listings, recent, live, null);
        KnownIssuesJournalView knownIssues =
                new KnownIssuesJournalView(system);
        queries.withAdminKnownIssues(knownIssues);
        queries.withLive(liveQueries.withAdmin(new CoordinatorAdmin(liveQueries, live, index, repos,
                () -> CoordinatorRoot.liveBranchCommits(setup)).onKnownIssuesChanged(knownIssues::invalidate)));
        try {
            ServerBinding binding = DashboardServer.start(system, queries, new DashboardSettings(
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

    public InetSocketAddress httpAddress() {
        return binding.localAddress();
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
