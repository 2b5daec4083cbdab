package org.ktestci.coordinator;

import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.schema.config.CiConfig;

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
            ConfigMapping mapping = new ConfigMapping(c);
            CoordinatorQueries queries = new CoordinatorQueries(c.user(), c.outputDir(), c.keepResultsCommits(),
                    mapping.branches(), repos, new BranchFetchStatus(), new ResultsIndex()).withConfig(() -> c);
            ServerBinding binding = DashboardServer.start(system, queries, new DashboardSettings(c.http().bindHost(),
                    c.http().bindPort(), c.http().basePath(), new PrometheusRegistry()))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            String host = c.http().bindHost().equals("0.0.0.0") ? c.ciHost() : c.http().bindHost();
            System.out.println("ktest-ci dashboard (read-only) running: http://" + host + ":"
                    + binding.localAddress().getPort() + c.http().basePath() + "/ci");
            system.getWhenTerminated().toCompletableFuture().join();
            return 0;
        } finally {
            system.terminate();
            repos.close();
        }
    }
}
