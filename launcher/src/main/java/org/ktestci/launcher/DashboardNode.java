package org.ktestci.launcher;

import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.ktestci.coordinator.ConfigMapping;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.queries.BranchHistory;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.schema.config.CiConfig;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ktest-ci dashboard}: the dashboard alone, read-only, over {@code output_dir} and the local repos (a
 * public results server next to a synced {@code output_dir}, say). It joins no cluster: results, history and
 * logs are served; live data (workers, queue, events) answers 503 as on a coordinator whose singleton is away.
 */
final class DashboardNode {
    private DashboardNode() {
    }

    static int run(CiConfig c) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ktest-ci-dashboard",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
        Repositories repos = new Repositories();
        try {
            List<BranchSpec> branches = new ConfigMapping(c).branches();
            BranchHistory history = new BranchHistory(c.user(), c::keepResultsCommits, () -> branches, repos,
                    new BranchFetchStatus());
            CoordinatorQueries queries = new CoordinatorQueries(history, c.outputDir(), new ResultsIndex(), () -> c,
                    List::of, Optional.empty());
            ServerBinding binding = DashboardServer.start(system, queries, new DashboardSettings(c.http().bindHost(),
                    c.http().bindPort(), c.http().basePath(), new PrometheusRegistry()))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.println("ktest-ci dashboard (read-only) running: "
                    + DashboardUrl.of(c, binding.localAddress().getPort()));
            system.getWhenTerminated().toCompletableFuture().join();
            return 0;
        } finally {
            system.terminate();
            repos.close();
        }
    }
}
