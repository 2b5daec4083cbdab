package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigError;
import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ci-status}: results of tracked branches and commits from the command line (cli.md). */
@Command(name = "ci-status", mixinStandardHelpOptions = true, version = "ci-status (ktest-ci) 0.1.0",
        description = "Shows ktest-ci results: branches, per-commit counts, per-test status and logs.",
        subcommands = {CiStatusMain.Branches.class, CiStatusMain.Log.class, CiStatusMain.Show.class,
                CiStatusMain.Logs.class, CiStatusMain.Workers.class})
public final class CiStatusMain implements Callable<Integer> {
    /** The process's streams and environment, injectable for tests. */
    record Io(PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {}

    @Mixin
    GlobalOptions options = new GlobalOptions();

    private Io io;

    public static void main(String[] args) {
        // Keep library logging (JGit) off stdout, whichever logback.xml the classpath carries.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "ci-status-logback.xml");
        }
        System.exit(run(args, new Io(System.out, System.err, System.getenv(), System.console() != null)));
    }

    static int run(String[] args, Io io) {
        CiStatusMain main = new CiStatusMain();
        main.io = io;
        CommandLine cl = new CommandLine(main);
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                io.err().println(pe.getMessage());
                pe.getCommandLine().usage(io.err());
                return 2;
            }
            if (e instanceof CliError) {
                io.err().println("ci-status: " + e.getMessage());
                return 1;
            }
            if (e instanceof ConfigException ce) {
                ce.errors().stream().map(ConfigError::toString).forEach(io.err()::println);
                return ConfigException.EXIT_CODE;
            }
            io.err().println("ci-status: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        io.err().println("ci-status: missing subcommand (branches, log, show, logs, workers); see --help");
        return 2;
    }

    Context context(GlobalOptions sub) throws ConfigException {
        return Context.create(sub.over(options), io);
    }

    /** What every subcommand shares: the root command and its own copy of the global options. */
    abstract static class Subcommand implements Callable<Integer> {
        @ParentCommand
        CiStatusMain parent;
        @Mixin
        GlobalOptions options = new GlobalOptions();

        Context context() throws ConfigException {
            return parent.context(options);
        }
    }

    @Command(name = "branches", mixinStandardHelpOptions = true, description = "List the tracked branches.")
    static final class Branches extends Subcommand {

        @Override
        public Integer call() throws ConfigException {
            Commands.branches(context());
            return 0;
        }
    }

    @Command(name = "log", mixinStandardHelpOptions = true, description = "Per-commit result counts of a branch.")
    static final class Log extends Subcommand {
        @Parameters(paramLabel = "<branch>")
        String branch;
        @Option(names = "--test", paramLabel = "<re>", description = "only result keys matching this regex")
        String test;
        @Option(names = "-n", paramLabel = "<N>", description = "commits to walk (default keep_results_commits)")
        Integer n;

        @Override
        public Integer call() throws ConfigException {
            Commands.log(context(), branch, Optional.ofNullable(test), Optional.ofNullable(n));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Every result of one commit.")
    static final class Show extends Subcommand {
        @Parameters(paramLabel = "<sha-or-prefix>")
        String commit;
        @Option(names = "--test", paramLabel = "<re>", description = "only result keys matching this regex")
        String test;

        @Override
        public Integer call() throws ConfigException {
            Commands.show(context(), commit, Optional.ofNullable(test));
            return 0;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "List a commit's failed tests, or print one test's log.")
    static final class Logs extends Subcommand {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "<sha>")
        String commit;
        @Parameters(index = "1", paramLabel = "<test>", arity = "0..1")
        String test;
        @Option(names = "--full", description = "the whole run's log instead of the test's")
        boolean full;

        @Override
        public Integer call() throws ConfigException {
            Context ctx = context();
            if (test != null && ctx.options.json()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--json cannot be used when printing a log");
            }
            Commands.logs(ctx, commit, Optional.ofNullable(test), full);
            return 0;
        }
    }

    @Command(name = "workers", mixinStandardHelpOptions = true, description = "Worker hosts and busy slots.")
    static final class Workers extends Subcommand {

        @Override
        public Integer call() throws ConfigException {
            Context ctx = context();
            if (ctx.options.remote == null && (ctx.config() == null || ctx.config().ciUrlFromFile().isEmpty())) {
                throw new CliError("workers needs --remote or ci_url");
            }
            throw new CliError("workers: remote mode is not available in this build");
        }
    }
}
