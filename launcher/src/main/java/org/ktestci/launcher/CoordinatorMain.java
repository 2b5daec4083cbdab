package org.ktestci.launcher;

import org.ktestci.coordinator.maintenance.OfflineTools;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigCheck;
import org.ktestci.schema.config.ConfigRole;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ktest-ci-coordinator}: run the coordinator, check a config, write or run the embedded demo. */
@Command(name = "ktest-ci-coordinator", mixinStandardHelpOptions = true, versionProvider = LauncherVersion.class,
        description = "Runs the ktest-ci coordinator (branch watcher, scheduler, results, dashboard).",
        subcommands = {CoordinatorMain.CheckConfig.class, CoordinatorMain.DemoInitCommand.class,
                CoordinatorMain.Demo.class, CoordinatorMain.RebuildProjections.class,
                CoordinatorMain.ImportOutputDir.class, CoordinatorMain.Dashboard.class})
public final class CoordinatorMain implements Callable<Integer> {
    static final int EXIT_CONFIG = ConfigOrExit.EXIT_CODE;

    /** Global: accepted before or after a sub-command ({@code check-config --config F}), as git and kubectl do. */
    @Option(names = "--config", scope = ScopeType.INHERIT, description = "config file (default ${DEFAULT-VALUE})",
            defaultValue = "/etc/ktest-ci.toml")
    Path config;

    @Option(names = "--with-worker", description = "also run a worker agent in this JVM")
    boolean withWorker;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CoordinatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return ConfigOrExit.run(config, withWorker ? ConfigRole.COORDINATOR_WITH_WORKER : ConfigRole.COORDINATOR,
                c -> {
                    try (CoordinatorNode node = CoordinatorNode.start(c, withWorker)) {
                        System.out.println("ktest-ci coordinator running; dashboard: "
                                + DashboardUrl.of(c, node.httpPort()));
                        node.awaitTermination();
                    }
                    return 0;
                });
    }

    /** An offline tool (the coordinator stopped): a refusal (say, a commit it does not know) is exit 1. */
    @FunctionalInterface
    private interface OfflineTool {
        void run() throws Exception;
    }

    private static int offline(OfflineTool tool) throws Exception {
        try {
            tool.run();
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("ktest-ci-coordinator: " + e.getMessage());
            return 1;
        }
    }

    /** A sub-command that runs with the coordinator's config loaded, or exits 78 when it is invalid. */
    abstract static class WithCoordinatorConfig implements Callable<Integer>, ConfigOrExit.Command {
        @CommandLine.ParentCommand
        CoordinatorMain parent;

        @Override
        public final Integer call() throws Exception {
            return ConfigOrExit.run(parent.config, ConfigRole.COORDINATOR, this);
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = "Validates the config file; prints ok, or every error (exit 78).")
    static final class CheckConfig implements Callable<Integer> {
        @CommandLine.ParentCommand
        CoordinatorMain parent;

        @Override
        public Integer call() {
            return ConfigCheck.run(parent.config, ConfigRole.COORDINATOR, System.out, System.err);
        }
    }

    @Command(name = "rebuild-projections", mixinStandardHelpOptions = true,
            description = "With the coordinator stopped: re-renders output_dir (every commit, or one) from the "
                    + "journal, regenerates test_durations.capnp and resets the projection offset.")
    static final class RebuildProjections extends WithCoordinatorConfig {
        @Option(names = "--commit", paramLabel = "SHA", description = "only this commit (full sha)")
        String commit;

        @Override
        public int run(CiConfig c) throws Exception {
            return offline(() -> OfflineTools.rebuildProjections(c, Optional.ofNullable(commit), System.out));
        }
    }

    @Command(name = "import-output-dir", mixinStandardHelpOptions = true,
            description = "With the coordinator stopped: imports the verdicts of an existing ktest output_dir "
                    + "(every <sha>.capnp the journal does not know yet).")
    static final class ImportOutputDir extends WithCoordinatorConfig {
        @Override
        public int run(CiConfig c) throws Exception {
            return offline(() -> OfflineTools.importOutputDir(c, System.out));
        }
    }

    @Command(name = "dashboard", mixinStandardHelpOptions = true,
            description = "The dashboard alone, read-only, over output_dir and the local repos (no cluster).")
    static final class Dashboard extends WithCoordinatorConfig {
        @Override
        public int run(CiConfig c) throws Exception {
            return DashboardNode.run(c);
        }
    }

    @Command(name = "demo-init", mixinStandardHelpOptions = true,
            description = "Writes the embedded demo (repositories, ktest tree, config) into DIR.")
    static final class DemoInitCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
                System.err.println("ktest-ci-coordinator: " + dir + " is not empty");
                return 1;
            }
            Path cfg = new DemoInit(dir).write();
            System.out.println("demo written; run: ktest-ci coordinator --config " + cfg + " --with-worker");
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Single-node demo: demo-init into a temporary directory, then coordinator + worker + "
                    + "dashboard in this process, pushing two more commits while it runs.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--dir", description = "demo directory (default: a new temporary directory)")
        Path dir;

        @Option(names = "--qemu-kernel", paramLabel = "VMLINUZ",
                description = "run the demo tests in real VMs (qemu runner) booting this kernel image")
        Path qemuKernel;

        @Override
        public Integer call() throws Exception {
            return new DemoRun(dir == null ? Files.createTempDirectory("ktest-ci-demo-") : dir,
                    Optional.ofNullable(qemuKernel)).run();
        }
    }
}
