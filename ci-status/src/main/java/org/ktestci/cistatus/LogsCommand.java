package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ci-status logs <sha> [test] [--full]}: without a test, the commit's failed tests; with one, that test's
 * decompressed log on stdout (cli.md §2–§3).
 */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List a commit's failed tests, or print one test's log.")
final class LogsCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "<sha>", description = "a commit's sha or a prefix of at least 4 hex digits")
    String commit;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<test>", description = "part of a result key")
    String test;

    @Option(names = "--full", description = "the whole run's log (full_log.br) instead of the test's")
    boolean full;

    @Option(names = {"-f", "--follow"}, description = "while the test runs, print its batch's console live until "
            + "the batch ends (needs --remote or ci_url); a finished test's log is printed as without -f")
    boolean follow;

    /** How long -f waits for the lease of an In-progress test to show up before giving up. */
    static final Duration FIND_LEASE = Duration.ofSeconds(60);

    /** One element of the {@code --json} list of failed tests. */
    record FailedJson(String name, long duration) {
    }

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        if (follow && test == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-f needs a <test> to follow");
        }
        if (test != null && session.json()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--json cannot be combined with <test>: a log is printed as it is");
        }
        ResultsSource local = session.source();
        LocalResults.Tested tested = local.resultsOf(commit);
        if (test == null) {
            listFailed(session, local, tested);
        } else {
            printLog(session, local, tested);
        }
        return 0;
    }

    private static void listFailed(Session session, ResultsSource source, LocalResults.Tested tested) {
        // Blob entries are already in byte order of their keys.
        List<ResultEntry> failed = tested.results().entries().stream()
                .filter(e -> e.status() == Status.FAILED).toList();
        Terminal out = session.out();
        if (session.json()) {
            Json.print(out, failed.stream().map(e -> new FailedJson(e.name(), e.duration())).toList());
            return;
        }
        out.line(failed.size() + " failed tests for " + tested.sha12() + ":");
        for (int i = 0; i < failed.size(); i++) {
            out.line(String.format("%3d. %s (%ds)", i + 1, out.untrusted(failed.get(i).name()),
                    failed.get(i).duration()));
        }
        List<ResultEntry> notRun = tested.results().entries().stream()
                .filter(e -> e.status() == Status.FAILED_TO_RUN).toList();
        if (!notRun.isEmpty()) {
            Map<String, FailureReason> reasons = source.failureReasons(tested.sha(), notRun);
            out.line(notRun.size() + " failed to run:");
            for (int i = 0; i < notRun.size(); i++) {
                FailureReason why = reasons.get(notRun.get(i).name());
                out.line(String.format("%3d. %s: %s", i + 1, out.untrusted(notRun.get(i).name()),
                        why == null ? "reason unknown" : out.untrusted(why.summary())));
            }
        }
        out.line("run: ci-status logs " + tested.sha12() + " <test> [--full]");
    }

    /** A Failed to run result has no subtest log of its own: what failed, per attempt, instead. */
    private static void printReason(Session session, ResultsSource source, LocalResults.Tested tested,
                                    ResultEntry chosen) {
        Terminal out = session.out();
        FailureReason why = source.failureReasons(tested.sha(), List.of(chosen)).get(chosen.name());
        out.line(out.untrusted(chosen.name()) + ": Failed to run: "
                + (why == null ? "reason unknown" : out.untrusted(why.code())));
        if (why != null) {
            for (FailureReason.Attempt a : why.attempts()) {
                out.line(out.untrusted("  attempt " + a.attempt() + " host=" + a.host() + " slot=" + a.slot()
                        + " lease=" + a.leaseId() + " reason=" + a.reason() + " at=" + a.atText()));
            }
        }
        out.line("full log: ci-status logs " + tested.sha12() + " " + out.untrusted(chosen.name()) + " --full");
    }

    private void printLog(Session session, ResultsSource local, LocalResults.Tested tested) throws ConfigException {
        boolean known = tested.results().entries().stream().anyMatch(e -> e.name().contains(test));
        if (follow && !known) {
            // Not in the blob yet (queued, or re-queued after a revoke): follow it by its full key once it runs.
            String url = session.remoteUrl().orElseThrow(() -> new CliError("logs -f needs --remote or ci_url"));
            new LiveFollow(new ServerApi(url), session, local).follow(tested.sha(), test, FIND_LEASE);
            return;
        }
        ResultEntry chosen = LogChoice.choose(tested, test, session.err(), session.out());
        if (follow && !chosen.status().isVerdict()) {
            String url = session.remoteUrl().orElseThrow(() -> new CliError("logs -f needs --remote or ci_url"));
            new LiveFollow(new ServerApi(url), session, local).follow(tested.sha(), chosen.name(), FIND_LEASE);
            return;
        }
        Optional<byte[]> found = local.compressedLog(tested.sha(), chosen.name(), full);
        if (found.isEmpty() && chosen.status() == Status.FAILED_TO_RUN) {
            printReason(session, local, tested, chosen);
            return;
        }
        byte[] compressed = found.orElseThrow(() -> new CliError("no log for " + chosen.name()));
        // Decoded in chunks and written as it comes, up to a bound: a small Brotli body can decode to gigabytes.
        try (InputStream in = Brotli.decompressing(new ByteArrayInputStream(compressed))) {
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            int held = 0; // a trailing 0xC2 waits for the next chunk: with it, it may be a C1 control to escape
            for (int n; (n = in.read(buf, held, buf.length - held)) >= 0; ) {
                total += n;
                if (total > BoundedBody.DECODED_LOG) {
                    throw new CliError("log of " + chosen.name() + " decodes to more than "
                            + (BoundedBody.DECODED_LOG >> 20) + " MiB; stopped");
                }
                int len = held + n;
                held = len > 0 && (buf[len - 1] & 0xff) == 0xc2 ? 1 : 0;
                session.out().bytes(Arrays.copyOf(buf, len - held));
                if (held == 1) {
                    buf[0] = (byte) 0xc2;
                }
            }
            if (held == 1) {
                session.out().bytes(new byte[] {(byte) 0xc2});
            }
        } catch (IOException e) {
            throw new CliError("corrupt log for " + chosen.name() + ": " + e.getMessage());
        }
    }
}
