package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.CommitResults;

import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where ci-status reads results: a local {@code output_dir} or a remote coordinator (cli.md §1–§2). */
interface ResultsSource {
    List<BranchConfig> branches();

    int defaultDepth();

    /** Commits from the branch tip, newest first, at most {@code n}. */
    List<CommitInfo> history(String branch, int n);

    /** One commit's results; {@code index} is its position in the walk (remote revalidation policy). */
    Optional<CommitResults> results(String sha, int index);

    LocalResults.Tested resultsOf(String prefix);

    Optional<byte[]> compressedLog(String sha, String key, boolean full);

    /**
     * Why each Failed to run result among {@code entries} failed, where known (issue 14): here from the
     * failed-to-run section of the fallback {@code full_log.br}; a server answers from its journal instead.
     */
    default Map<String, FailureReason> failureReasons(String sha, List<ResultEntry> entries) {
        Map<String, FailureReason> out = new HashMap<>();
        for (ResultEntry e : entries) {
            if (e.status() != Status.FAILED_TO_RUN) {
                continue;
            }
            compressedLog(sha, e.name(), true).flatMap(ResultsSource::reasonIn)
                    .ifPresent(r -> out.put(e.name(), r));
        }
        return out;
    }

    /** A failure's automatic re-runs (issue 14 item 4): how many ran and how many passed (flaky when any). */
    record Reruns(int runs, int passed) {
        boolean flaky() {
            return passed > 0;
        }

        String summary() {
            return flaky() ? "flaky: " + passed + " of " + runs + " re-run" + (runs == 1 ? "" : "s") + " passed"
                    : "re-run " + runs + "×, failed each time";
        }
    }

    /** The re-runs of each Failed result among {@code entries} that has any. */
    default Map<String, Reruns> reruns(String sha, List<ResultEntry> entries) {
        return Map.of();
    }

    /**
     * What bisecting each Failed result among {@code entries} found (issue 14 item 3), as the line to print
     * ("first bad: sha subject author"). Only a server's journal has it.
     */
    default Map<String, String> firstBad(String sha, List<ResultEntry> entries) {
        return Map.of();
    }

    /** A known issue a result matched: its id and where it is tracked. */
    record KnownRef(String id, String url) {
    }

    /**
     * The known issue each Failed result among {@code entries} matches (issue 14 item 5). Here: the config's
     * {@code [known_issue.*]} over the logs and git history at hand; a server answers with its journal's too.
     */
    default Map<String, KnownRef> knownIssues(String sha, List<ResultEntry> entries) {
        return Map.of();
    }

    /** How many of a commit's Failed results are known issues. */
    default int knownCount(String sha, List<ResultEntry> entries) {
        return entries.stream().noneMatch(e -> e.status() == Status.FAILED) ? 0 : knownIssues(sha, entries).size();
    }

    private static Optional<FailureReason> reasonIn(byte[] compressedFullLog) {
        try {
            return FailedToRunLog.parse(new String(Brotli.decompress(compressedFullLog), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
