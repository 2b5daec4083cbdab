package org.ktestci.worker;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.protocol.node.ClusterNodeConfig;
import org.ktestci.worker.agent.CoordinatorWatch;
import org.ktestci.protocol.node.ClusterNodeSettings;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigCheck;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigRole;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ktest-ci-worker}: a worker agent joining the coordinator's cluster. */
@Command(name = "ktest-ci-worker", mixinStandardHelpOptions = true, version = "ktest-ci 0.1.0",
        description = "Runs a ktest-ci worker agent on this host.",
        subcommands = {WorkerMain.CheckConfig.class, WorkerMain.ImportKernel.class})
public final class WorkerMain implements Callable<Integer> {
    @Option(names = "--config", description = "config file (default ${DEFAULT-VALUE})", defaultValue = "/etc/ktest-ci.toml")
    Path config;

    @Option(names = "--coordinator", paramLabel = "HOST:PORT",
            description = "the coordinator's cluster address (instead of ci_host / cluster.seed_nodes)")
    String coordinator;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        java.util.Optional<String> seed = java.util.Optional.empty();
        if (coordinator != null) {
            if (!coordinator.matches("^[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$")) {
                System.err.println("ktest-ci-worker: --coordinator: expected HOST:PORT, got '" + coordinator + "'");
                return 2;
            }
            seed = java.util.Optional.of("pekko://" + ClusterNodeConfig.SYSTEM_NAME + "@" + coordinator);
        }
        var loaded = ConfigCheck.loadOrReport(config, seed.isPresent() ? ConfigRole.WORKER_WITH_SEED
                : ConfigRole.WORKER, System.err);
        if (loaded.isEmpty()) {
            return ConfigException.EXIT_CODE;
        }
        CiConfig c = loaded.get();
        var cl = c.cluster();
        String advertise = cl.advertiseHost().orElse(c.worker().host());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
            WorkerNode.spawnAgent(ctx, c);
            ctx.spawn(CoordinatorWatch.create(java.time.Duration.ofSeconds(10)), "coordinator-watch");
            return Behaviors.empty();
        }), ClusterNodeConfig.SYSTEM_NAME, ClusterNodeConfig.build(new ClusterNodeSettings(List.of("worker"),
                cl.bindHost(), cl.port(), advertise, seed.map(List::of).orElse(cl.seedNodes()), cl.insecurePlaintext(),
                cl.tlsCert(), cl.tlsKey(),
                cl.tlsCa())));
        if (cl.insecurePlaintext()) {
            system.log().warn("cluster transport is NOT encrypted");
        }
        system.getWhenTerminated().toCompletableFuture().join();
        // Downed by the cluster (the coordinator is gone or declared us dead): exit 1 so systemd restarts us
        // and we join the cluster afresh (protocol.md §3). A SIGTERM stop is a clean exit.
        var reason = org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason();
        boolean downed = reason.isPresent()
                && (reason.get() instanceof org.apache.pekko.actor.CoordinatedShutdown.ClusterDowningReason$
                || reason.get() == CoordinatorWatch.COORDINATOR_LOST);
        if (downed) {
            System.err.println("ktest-ci-worker: this node left the coordinator's cluster (" + reason.get()
                    + "); exiting with status 1");
        }
        return downed ? 1 : 0;
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true, description = "Validates the config file.")
    static final class CheckConfig implements Callable<Integer> {
        @CommandLine.ParentCommand
        WorkerMain parent;

        @Override
        public Integer call() {
            return ConfigCheck.run(parent.config, ConfigRole.WORKER, System.out, System.err);
        }
    }

    @Command(name = "import-kernel", mixinStandardHelpOptions = true,
            description = "Imports a Debian linux-image-*.deb into the kernel store for the qemu runner.")
    static final class ImportKernel implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "DEB")
        Path deb;
        @Option(names = "--id", required = true, description = "kernel-store id, e.g. debian/bookworm")
        String id;
        @Option(names = "--store", required = true, description = "kernel store directory (worker.kernel_store)")
        Path store;
        @Option(names = "--arch", defaultValue = "x86_64", description = "x86_64 or aarch64 (default ${DEFAULT-VALUE})")
        String arch;

        @Override
        public Integer call() throws Exception {
            Path dir = org.ktestci.worker.qemu.KernelImport.importDeb(deb, store, id, arch);
            System.out.println("imported " + dir.resolve("vmlinuz") + "; use kernels = [\"" + id + "\"]");
            return 0;
        }
    }
}
