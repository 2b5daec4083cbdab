package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.ShortDuration;
import org.ktestci.schema.status.Status;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code ci-status log <branch>}: per-commit result counts, newest first (cli.md §2–§3). */
@Command(name = "log", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Per-commit result counts of a branch, newest first.")
final class LogCommand extends Subcommand {
    static final String HEADER = String.format("%-14s%-6s%-6s%-6s%-6s%-6s%-9s%s",
            "COMMIT", "PASS", "FAIL", "KNOWN", "FTRUN", "INPRO", "DURATION", "MESSAGE");
    private static final int SUBJECT_MAX = 50;

    @Parameters(paramLabel = "<branch>", description = "a configured branch, or a ref in linux_repo")
    String branch;

    @Option(names = "--test", paramLabel = "<re>", description = "count only result keys matching this regex")
    String test;

    @Option(names = "-n", paramLabel = "<N>", description = "commits to walk (default keep_results_commits)")
    Integer depth;

    @Override
    public Integer call() throws ConfigException {
        TestFilter filter = TestFilter.of(test, spec);
        if (depth != null && depth < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-n must be at least 1, got " + depth);
        }
        Session session = session();
        ResultsSource local = session.source();
        List<Row> rows = new ArrayList<>();
        int index = 0;
        for (CommitInfo c : local.history(branch, depth != null ? depth : local.defaultDepth())) {
            local.results(c.sha(), index++).flatMap(r -> Row.of(c, r, filter))
                    .map(r -> r.withKnown(local.knownCount(c.sha(), r.results().entries()))).ifPresent(rows::add);
        }
        if (session.json()) {
            Json.print(session.out(), rows.stream().map(Row::json).toList());
        } else {
            print(session.out(), rows);
        }
        return 0;
    }

    /** A tested commit with its (matching) results and their counts per status. */
    private record Row(CommitInfo commit, CommitResults results, Map<Status, Integer> counts, int known) {
        static Optional<Row> of(CommitInfo commit, CommitResults results, TestFilter filter) {
            CommitResults matching = new CommitResults(results.commit(), results.message(),
                    filter.apply(results.entries()));
            return matching.entries().isEmpty() ? Optional.empty()
                    : Optional.of(new Row(commit, matching, matching.counts(), 0));
        }

        /** Of the Failed ones, how many are known issues (issue 14 item 5). */
        Row withKnown(int n) {
            return new Row(commit, results, counts, n);
        }

        int count(Status s) {
            return counts.get(s);
        }

        Map<String, Object> json() {
            String message = commit.message().isEmpty() ? results.message() : commit.message();
            Map<String, Object> m = KtestJson.branchEntry(commit.sha(), message, results.entries());
            m.put("failed_known", known);
            return m;
        }
    }

    private void print(Terminal out, List<Row> rows) {
        if (rows.isEmpty()) {
            out.line("No results for " + out.untrusted(branch));
            return;
        }
        out.line(HEADER);
        out.line("-".repeat(80));
        for (Row r : rows) {
            int passed = r.count(Status.PASSED);
            int failed = r.count(Status.FAILED);
            out.line(String.format("%-14s", r.commit().sha().substring(0, 12))
                    + out.paint(String.format("%-6d", passed), passed > 0 ? Terminal.Colour.GREEN : null)
                    + out.paint(String.format("%-6d", failed), failed > 0 ? Terminal.Colour.RED : null)
                    + out.paint(String.format("%-6d", r.known()), r.known() > 0 ? Terminal.Colour.DIM : null)
                    + String.format("%-6d%-6d%-9s", r.count(Status.FAILED_TO_RUN), r.count(Status.INPROGRESS),
                    ShortDuration.of(r.results().totalDuration()))
                    + out.untrusted(truncate(r.commit().subject())));
        }
    }

    private static String truncate(String subject) {
        int count = subject.codePointCount(0, subject.length());
        return count <= SUBJECT_MAX ? subject : subject.substring(0, subject.offsetByCodePoints(0, SUBJECT_MAX));
    }
}
