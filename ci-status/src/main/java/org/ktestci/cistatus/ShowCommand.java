package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.results.ShortDuration;
import org.ktestci.schema.status.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code ci-status show <sha-or-prefix>}: every result of one commit, failures first (cli.md §2–§3). */
@Command(name = "show", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Every result of one commit, failures first.")
final class ShowCommand extends Subcommand {
    static final String HEADER = String.format("%-60s %-12s %8s", "TEST", "STATUS", "DURATION");

    /** Failed, In progress, Not run, Unknown, Failed to run, Passed; then key in byte order. */
    static final Comparator<ResultEntry> ORDER = Comparator
            .comparingInt((ResultEntry e) -> List.of(Status.FAILED, Status.INPROGRESS, Status.NOTRUN,
                    Status.UNKNOWN, Status.FAILED_TO_RUN, Status.PASSED).indexOf(e.status()))
            .thenComparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR);

    @Parameters(paramLabel = "<sha-or-prefix>", description = "a commit's sha or a prefix of at least 4 hex digits")
    String commit;

    @Option(names = "--test", paramLabel = "<re>", description = "only result keys matching this regex")
    String test;

    @Override
    public Integer call() throws ConfigException {
        TestFilter filter = TestFilter.of(test, spec);
        Session session = session();
        ResultsSource source = session.source();
        LocalResults.Tested tested = source.resultsOf(commit);
        CommitResults results = tested.results();
        List<ResultEntry> entries = filter.apply(results.entries());
        Map<String, FailureReason> reasons = source.failureReasons(tested.sha(), entries);
        Map<String, ResultsSource.KnownRef> known = source.knownIssues(tested.sha(), entries);
        Map<String, ResultsSource.Reruns> reruns = source.reruns(tested.sha(), entries);
        Map<String, String> firstBad = source.firstBad(tested.sha(), entries);
        if (session.json()) {
            Map<String, Object> doc = KtestJson.commit(tested.sha(), results.message(), entries, reasons);
            addKnown(doc, known, reruns);
            addFirstBad(doc, firstBad);
            Json.print(session.out(), doc);
        } else {
            print(session.out(), tested.sha(), results, entries.stream().sorted(ORDER).toList(), reasons, known,
                    reruns, firstBad);
        }
        return 0;
    }

    private static void print(Terminal out, String sha, CommitResults results, List<ResultEntry> entries,
                              Map<String, FailureReason> reasons, Map<String, ResultsSource.KnownRef> known,
                              Map<String, ResultsSource.Reruns> reruns, Map<String, String> firstBad) {
        if (!results.message().isEmpty()) {
            out.line(sha + " " + out.untrusted(results.subject()));
            out.line("");
        }
        out.line(HEADER);
        out.line("-".repeat(82));
        for (ResultEntry e : entries) {
            out.line(String.format("%-60s ", out.untrusted(e.name()))
                    + out.paint(String.format("%-12s", e.status().display()), colour(e.status()))
                    + String.format(" %8s", e.duration() + "s"));
            FailureReason why = reasons.get(e.name());
            if (why != null) {
                out.line(out.paint("    reason: " + out.untrusted(why.summary()), Terminal.Colour.DIM));
            }
            ResultsSource.KnownRef k = known.get(e.name());
            if (k != null) {
                out.line(out.paint("    known: " + out.untrusted(k.id() + " " + k.url()), Terminal.Colour.DIM));
            }
            ResultsSource.Reruns rr = reruns.get(e.name());
            if (rr != null) {
                out.line(out.paint("    " + rr.summary(), Terminal.Colour.DIM));
            }
            String fb = firstBad.get(e.name());
            if (fb != null) {
                out.line(out.paint("    " + out.untrusted(fb), Terminal.Colour.DIM));
            }
        }
        CommitResults shown = new CommitResults(sha, results.message(), entries);
        Map<Status, Integer> n = shown.counts();
        out.line(entries.size() + " total: " + n.get(Status.PASSED) + " passed, " + n.get(Status.FAILED)
                + " failed" + (known.isEmpty() ? "" : " (" + known.size() + " known)") + ", " + n.get(Status.INPROGRESS) + " in progress, " + ShortDuration.of(shown.totalDuration()));
    }

    /**
     * {@code --json}: each Failed test a known issue matched carries {@code known_issue: {id, url}}, and each one
     * re-run {@code reruns: {runs, passed, flaky}}.
     */
    @SuppressWarnings("unchecked")
    private static void addKnown(Map<String, Object> doc, Map<String, ResultsSource.KnownRef> known,
                                 Map<String, ResultsSource.Reruns> reruns) {
        for (Map<String, Object> t : (List<Map<String, Object>>) doc.get("tests")) {
            ResultsSource.KnownRef k = known.get((String) t.get("name"));
            if (k != null) {
                t.put("known_issue", Map.of("id", k.id(), "url", k.url()));
            }
            ResultsSource.Reruns r = reruns.get((String) t.get("name"));
            if (r != null) {
                t.put("reruns", Map.of("runs", r.runs(), "passed", r.passed(), "flaky", r.flaky()));
            }
        }
    }

    /** {@code --json}: each Failed test bisection explained carries {@code first_bad} (the printed line). */
    @SuppressWarnings("unchecked")
    private static void addFirstBad(Map<String, Object> doc, Map<String, String> firstBad) {
        for (Map<String, Object> t : (List<Map<String, Object>>) doc.get("tests")) {
            String line = firstBad.get((String) t.get("name"));
            if (line != null) {
                t.put("first_bad", line);
            }
        }
    }

    static Terminal.Colour colour(Status s) {
        return switch (s) {
            case PASSED -> Terminal.Colour.GREEN;
            case FAILED -> Terminal.Colour.RED;
            case INPROGRESS -> Terminal.Colour.YELLOW;
            case NOTRUN, FAILED_TO_RUN, UNKNOWN -> Terminal.Colour.DIM;
        };
    }
}
