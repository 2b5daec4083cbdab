package org.ktestci.dashboard;

import org.ktestci.schema.events.BranchEvents;
import org.ktestci.schema.events.RegressionEvent;
import org.ktestci.schema.events.RegressionEvent.KnownRef;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A branch's regression events (issue 14 item 8) from what the views read: the blobs of {@code output_dir}, the
 * re-runs, the known issues and bisection's findings through {@link CiQueries}. The feed renders them; the
 * coordinator's notifier sends the same events to webhooks. May block (blobs, logs, git).
 */
public final class RegressionFeed {
    /** The most events a feed shows and a notifier scan considers per branch. */
    public static final int MAX_EVENTS = 100;

    private final CiQueries queries;
    private final Commits commits;
    private final KnownFailures known;

    public RegressionFeed(CiQueries queries) {
        this(queries, new Commits(new OutputDir(queries.outputDir())));
    }

    /** With a results cache of its own holding at most {@code cachedResults} entries. */
    public RegressionFeed(CiQueries queries, long cachedResults) {
        this(queries, new Commits(new OutputDir(queries.outputDir()), cachedResults));
    }

    RegressionFeed(CiQueries queries, Commits commits) {
        this.queries = queries;
        this.commits = commits;
        this.known = new KnownFailures(queries, queries.outputDir());
    }

    /** The branch's newest {@value #MAX_EVENTS} events, newest first; empty when the branch is not tracked. */
    public Optional<List<RegressionEvent>> events(String branch) {
        return events(branch, MAX_EVENTS);
    }

    /** The branch's newest {@code limit} events, newest first; empty when the branch is not tracked. */
    public Optional<List<RegressionEvent>> events(String branch, int limit) {
        Optional<List<CommitInfo>> log = queries.branchLog(branch, queries.keepResultsCommits());
        if (log.isEmpty()) {
            return Optional.empty();
        }
        KnownFailures.Session session = known.session();
        BranchEvents.Inputs inputs = new BranchEvents.Inputs() {
            @Override
            public Optional<List<ResultEntry>> results(String sha) {
                return commits.compact(sha).map(c -> {
                    List<ResultEntry> out = new ArrayList<>(c.size());
                    for (int i = 0; i < c.size(); i++) {
                        out.add(c.entry(i));
                    }
                    return out;
                });
            }

            @Override
            public Map<String, List<Observation>> reruns(String sha) {
                return queries.reruns(sha);
            }

            @Override
            public Optional<KnownRef> known(String sha, ResultEntry failed) {
                return session.of(sha, failed).map(i -> new KnownRef(i.id(), i.url()));
            }
        };
        return Optional.of(BranchEvents.of(branch, log.get(), inputs, queries.flakeRetries(),
                queries.firstBadFindings(branch), limit));
    }
}
