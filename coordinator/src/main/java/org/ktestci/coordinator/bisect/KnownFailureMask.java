package org.ktestci.coordinator.bisect;

import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.known.KnownIssueMatcher;
import org.ktestci.schema.known.OutputDirLogs;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.function.Supplier;

/**
 * Whether a failure is masked as a known issue (issue 14 item 5), as the pages decide it: such a failure is not
 * bisected. Reads the issues (config file and admin API) at each call and the subtest's log from
 * {@code output_dir}; blocking.
 */
public final class KnownFailureMask {
    public static final KnownFailureMask NONE = new KnownFailureMask(List::of, null, (s, a) -> false);

    private final Supplier<List<KnownIssue>> issues;
    private final OutputDirLogs logs;
    private final KnownIssueMatcher.Ancestry ancestry;

    public KnownFailureMask(Supplier<List<KnownIssue>> issues, OutputDir out, KnownIssueMatcher.Ancestry ancestry) {
        this.issues = issues;
        this.logs = new OutputDirLogs(out);
        this.ancestry = ancestry;
    }

    public boolean masks(String sha, String key) {
        List<KnownIssue> now = issues.get();
        if (now.isEmpty()) {
            return false;
        }
        return new KnownIssueMatcher(now, logs, ancestry)
                .match(sha, new ResultEntry(key, Status.FAILED, 0, 0)).isPresent();
    }
}
