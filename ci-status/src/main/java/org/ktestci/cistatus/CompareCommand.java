package org.ktestci.cistatus;

import org.ktestci.schema.compare.Comparison;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.results.ShortDuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code ci-status compare <base> <head>}: what changed between the results of any two commits (issue 14 item 6)
 * — fixed, new failures, still failing, new and removed tests, much slower — from their blobs, local or remote.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "What changed between two commits' results: fixed, new failures, still failing, new and "
                + "removed tests, much slower (>= 2x and >= +30s).")
final class CompareCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "<base>", description = "the older commit (sha or prefix)")
    String base;

    @Parameters(index = "1", paramLabel = "<head>", description = "the newer commit (sha or prefix)")
    String head;

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        ResultsSource source = session.source();
        LocalResults.Tested b = source.resultsOf(base);
        LocalResults.Tested h = source.resultsOf(head);
        Comparison c = Comparison.of(b.sha(), b.results().entries(), h.sha(), h.results().entries());
        Terminal out = session.out();
        if (session.json()) {
            Json.print(out, c.toJson());
            return 0;
        }
        out.line("compare " + b.sha12() + "..." + h.sha12());
        changes(out, "new failures", c.newFailures(), Terminal.Colour.RED);
        changes(out, "fixed", c.fixed(), Terminal.Colour.GREEN);
        changes(out, "still failing", c.stillFailing(), Terminal.Colour.DIM);
        slower(out, c.muchSlower());
        entries(out, "new tests", c.newTests());
        entries(out, "removed tests", c.removedTests());
        return 0;
    }

    private static void changes(Terminal out, String heading, List<Comparison.Change> list, Terminal.Colour colour) {
        out.line(out.paint(heading + " (" + list.size() + ")", colour));
        for (Comparison.Change c : list) {
            out.line(String.format("  %-60s %s -> %s", out.untrusted(c.key()), c.base().status().display(),
                    c.head().status().display()));
        }
    }

    private static void slower(Terminal out, List<Comparison.Change> list) {
        out.line(out.paint("much slower (" + list.size() + ")", Terminal.Colour.YELLOW));
        for (Comparison.Change c : list) {
            out.line(String.format("  %-60s %s -> %s", out.untrusted(c.key()), ShortDuration.of(c.base().duration()),
                    ShortDuration.of(c.head().duration())));
        }
    }

    private static void entries(Terminal out, String heading, List<ResultEntry> list) {
        out.line(heading + " (" + list.size() + ")");
        for (ResultEntry e : list) {
            out.line(String.format("  %-60s %s", out.untrusted(e.name()), e.status().display()));
        }
    }
}
