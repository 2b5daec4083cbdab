package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.CommitResults;

import java.util.List;
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
}
