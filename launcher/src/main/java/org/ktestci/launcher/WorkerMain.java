package org.ktestci.launcher;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.protocol.node.ClusterNodeConfig;
import org.ktestci.protocol.node.ClusterNodeSettings;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ClusterConfig;
import org.ktestci.schema.config.ConfigCheck;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.worker.WorkerNode;
import org.ktestci.worker.agent.CoordinatorWatch;
import org.ktestci.worker.qemu.KernelImport;
import org.ktestci.worker.qemu.RootImageBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ktest-ci-worker}: a worker agent joining the coordinator's cluster. */
@Command(name = "ktest-ci-worker", mixinStandardHelpOptions = true, versionProvider = LauncherVersion.class,
        description = "Runs a ktest-ci worker agent on this host.",
        subcommands = {WorkerMain.CheckConfig.class, WorkerMain.ImportKernel.class,
                WorkerMain.BuildRootImage.class})
public final class WorkerMain implements Callable<Integer> {
    /** Global: accepted before or after a sub-command ({@code check-config --config F}), as git and kubectl do. */
    @Option(names = "--config", scope = ScopeType.INHERIT, description = "config file (default ${DEFAULT-VALUE})",
            defaultValue = "/etc/ktest-ci.toml")
    Path config;

    @Option(names = "--coordinator", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            description = "the coordinator's cluster address (instead of ci_host / cluster.seed_nodes)")
    String coordinator;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (coordinator != null && !coordinator.matches("^[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$")) {
            System.err.println("ktest-ci-worker: --coordinator: expected HOST:PORT, got '" + coordinator + "'");
            return 2;
        }
        Optional<String> seed = Optional.ofNullable(coordinator)
                .map(c -> "pekko://" + ClusterNodeConfig.SYSTEM_NAME + "@" + c);
        return ConfigOrExit.run(config, seed.isPresent() ? ConfigRole.WORKER_WITH_SEED : ConfigRole.WORKER,
                c -> runAgent(c, seed.map(List::of).orElse(c.cluster().seedNodes())));
    }

    /** Runs the agent until it stops; joins the coordinator's cluster again after it restarted. */
    private static int runAgent(CiConfig c, List<String> seeds) {
        ClusterConfig cl = c.cluster();
        String advertise = cl.advertiseHost().orElse(c.worker().host());
        while (true) {
            ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
                WorkerNode.spawnAgent(ctx, c);
                ctx.spawn(CoordinatorWatch.create(Duration.ofSeconds(10), Duration.ofSeconds(1), seeds),
                        "coordinator-watch");
                return Behaviors.empty();
            }), ClusterNodeConfig.SYSTEM_NAME, ClusterNodeConfig.build(new ClusterNodeSettings(List.of("worker"),
                    cl.bindHost(), cl.port(), advertise, seeds, cl.insecurePlaintext(), cl.tlsCert(), cl.tlsKey(),
                    cl.tlsCa())));
            if (cl.insecurePlaintext()) {
                system.log().warn("cluster transport is NOT encrypted");
            }
            system.getWhenTerminated().toCompletableFuture().join();
            Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
            if (reason.isPresent() && CoordinatorWatch.rejoins(reason.get())) {
                // The coordinator restarted or is gone: a Pekko node cannot join another cluster, so a new actor
                // system in this process joins the coordinator's current one (protocol.md §3).
                System.err.println("ktest-ci-worker: left the coordinator's old cluster (" + reason.get()
                        + "); joining again");
                continue;
            }
            // Downed by the cluster (declared dead): exit 1 so systemd restarts us and we join afresh
            // (protocol.md §3). A SIGTERM stop is a clean exit.
            boolean downed = reason.isPresent()
                    && reason.get() instanceof CoordinatedShutdown.ClusterDowningReason$;
            if (downed) {
                System.err.println("ktest-ci-worker: this node left the coordinator's cluster (" + reason.get()
                        + "); exiting with status 1");
            }
            return downed ? 1 : 0;
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true, description = "Validates the config file.")
    static final class CheckConfig implements Callable<Integer> {
        @CommandLine.ParentCommand
        WorkerMain parent;

        @Override
        public Integer call() {
            // With --coordinator the file need not name the coordinator (ci_host / cluster.seed_nodes).
            return ConfigCheck.run(parent.config, parent.coordinator != null ? ConfigRole.WORKER_WITH_SEED
                    : ConfigRole.WORKER, System.out, System.err);
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
            KernelImport.Imported imported = KernelImport.importDeb(deb, store, id, arch);
            System.out.println("imported " + imported.versionDir().resolve("vmlinuz") + " with its modules"
                    + (imported.indexed() ? "" : " (" + imported.note() + ")") + "; use kernels = [\"" + id + "\"]");
            return 0;
        }
    }

    @Command(name = "build-root-image", mixinStandardHelpOptions = true,
            description = {"Builds the qemu runner's root image: a raw ext4 Debian userspace made with mmdebstrap "
                    + "(ktest-interface.md §6.4), so ktest's own tests run in the VMs.",
                    "Defaults come from the config file when it exists: worker.root_image (else <state_dir>/root.<arch>), "
                            + "worker.root_image_mirror, worker.root_image_packages."})
    static final class BuildRootImage implements Callable<Integer> {
        @CommandLine.ParentCommand
        WorkerMain parent;
        @Option(names = "--arch", description = "x86_64 or aarch64; must be this host's (default: this host's)")
        String arch;
        @Option(names = "--packages", split = ",", paramLabel = "PKG",
                description = "Debian packages added to the default set (repeatable or comma-separated)")
        List<String> packages = new ArrayList<>();
        @Option(names = "--out", paramLabel = "FILE", description = "the image to write")
        Path out;
        @Option(names = "--mirror", paramLabel = "URL", description = "Debian mirror (default: the host's apt sources)")
        String mirror;
        @Option(names = "--suite", description = "Debian suite (default: the host's codename, else bookworm)")
        String suite;
        @Option(names = "--size", paramLabel = "MiB", description = "apparent (sparse) size in MiB (default ${DEFAULT-VALUE})",
                defaultValue = "2048")
        long sizeMib;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(parent.config)) {
                return ConfigOrExit.run(parent.config, ConfigRole.WORKER, c -> build(Optional.of(c)));
            }
            return build(Optional.empty());
        }

        private int build(Optional<CiConfig> config) {
            String a = arch != null ? arch : config.map(c -> c.worker().arch().id())
                    .orElse(RootImageBuilder.hostArch());
            if (!a.equals("x86_64") && !a.equals("aarch64")) {
                System.err.println("ktest-ci-worker build-root-image: --arch: expected x86_64 or aarch64, got '" + a + "'");
                return 2;
            }
            for (String p : packages) {
                if (!p.matches("^[a-z0-9][a-z0-9.+-]*$")) {
                    System.err.println("ktest-ci-worker build-root-image: --packages: not a Debian package name: '" + p + "'");
                    return 2;
                }
            }
            Path target = out != null ? out : config.flatMap(c -> c.worker().rootImage())
                    .or(() -> config.map(c -> c.worker().defaultRootImage())).orElse(null);
            if (target == null) {
                System.err.println("ktest-ci-worker build-root-image: no config file at " + parent.config
                        + "; say where to write the image with --out");
                return 2;
            }
            List<String> extra = new ArrayList<>(config.map(c -> c.worker().rootImagePackages()).orElse(List.of()));
            extra.addAll(packages);
            Optional<String> m = Optional.ofNullable(mirror).or(() -> config.flatMap(c -> c.worker().rootImageMirror()));
            RootImageBuilder.Request req = new RootImageBuilder.Request(target, a,
                    suite != null ? suite : RootImageBuilder.hostSuite(), m, extra, sizeMib);
            try {
                new RootImageBuilder(System.out).build(req);
                return 0;
            } catch (IOException e) {
                System.err.println("ktest-ci-worker build-root-image: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }
}
