package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigError;
import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ci-status}: results of tracked branches and commits from the command line (cli.md). Usage errors exit 2,
 * an invalid config file 78, any other failure 1 with one line {@code ci-status: <message>} on stderr.
 */
@Command(name = "ci-status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Shows ktest-ci results: branches, per-commit counts, per-test status and logs.",
        subcommands = {BranchesCommand.class, LogCommand.class, ShowCommand.class, LogsCommand.class, VerdictCommand.class,
                RerunCommand.class, WorkersCommand.class, ReproCommand.class, KcidbCommand.class, CompareCommand.class})
public final class CiStatusMain implements Callable<Integer> {
    @Mixin
    GlobalOptions options = new GlobalOptions();

    @Spec
    CommandSpec spec;

    private Streams streams;

    public static void main(String[] args) {
        // stdout is data (tables, JSON, raw logs): our own logging config sends library warnings to stderr. It
        // has its own name because the distribution's classpath also holds the coordinator's logback.xml.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "ci-status-logback.xml");
        }
        if (System.getProperty("logback.statusListenerClass") == null) {
            System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        }
        // UTF-8 regardless of the locale: subjects and test names are UTF-8 in git and in the blobs.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, new Streams(out, err, System.getenv(), System.console() != null));
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one invocation as if stdout were not a terminal; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, new Streams(out, err, env, false));
    }

    /** Runs one invocation with explicit streams, environment and tty-ness; returns the exit status. */
    static int run(String[] args, Streams streams) {
        CiStatusMain main = new CiStatusMain();
        main.streams = streams;
        CommandLine cl = new CommandLine(main);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(streams.out(), true));
        cl.setErr(new PrintWriter(streams.err(), true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, streams.err()));
        // A usage error always shows the usage (cli.md §5), also when picocli has a "did you mean" to offer.
        cl.setParameterExceptionHandler((ex, a) -> usageError(ex, streams.err()));
        int code = cl.execute(args);
        streams.out().flush();
        return code;
    }

    private static int usageError(CommandLine.ParameterException ex, PrintStream err) {
        err.println(ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        ex.getCommandLine().usage(err);
        return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int failure(Exception e, PrintStream err) {
        if (e instanceof CommandLine.ParameterException pe) {
            return usageError(pe, err);
        }
        if (e instanceof ConfigException ce) {
            ce.errors().stream().map(ConfigError::toString).forEach(err::println);
            return ConfigException.EXIT_CODE;
        }
        String message = e instanceof CliError ? e.getMessage()
                : e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("ci-status: " + message);
        return 1;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing required subcommand (branches, log, show, logs or workers)");
    }

    /** The session a subcommand runs in: its own options over the ones given before the subcommand. */
    Session session(GlobalOptions subcommandOptions) {
        GlobalOptions merged = subcommandOptions.over(options);
        if (merged.local() && merged.remote != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--local and --remote exclude each other");
        }
        return new Session(merged, streams);
    }
}
