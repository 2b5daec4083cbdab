package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.CommitResults;

import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

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

    private static Optional<FailureReason> reasonIn(byte[] compressedFullLog) {
        try {
            return FailedToRunLog.parse(new String(Brotli.decompress(compressedFullLog), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}
