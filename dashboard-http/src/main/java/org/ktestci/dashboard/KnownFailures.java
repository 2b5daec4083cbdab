package org.ktestci.dashboard;

import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.known.KnownIssueMatcher;
import org.ktestci.schema.known.OutputDirLogs;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which Failed results are known issues (issue 14 item 5), for the views and the API. A verdict's log never
 * changes, so each (issues, commit, key) is matched once and remembered (bounded); a change of the issues starts
 * afresh. Logs are read from {@code output_dir} ({@link OutputDirLogs}).
 */
final class KnownFailures {
    private static final int MEMO_ENTRIES = 200_000;

    private final CiQueries queries;
    private final OutputDirLogs logs;
    private final Map<String, String> memo = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MEMO_ENTRIES;
                }
            });

    KnownFailures(CiQueries queries, Path outputDir) {
        this.queries = queries;
        this.logs = new OutputDirLogs(new OutputDir(outputDir));
    }

    /** One request's view: the issues as they are now, and a matcher over them. */
    final class Session {
        private final List<KnownIssue> issues = queries.knownIssues();
        private final String version = Integer.toHexString(issues.hashCode());
        private final KnownIssueMatcher matcher = new KnownIssueMatcher(issues, logs,
                queries::commitContains);

        Optional<KnownIssue> of(String sha, ResultEntry e) {
            if (e.status() != Status.FAILED || matcher.isEmpty()) {
                return Optional.empty();
            }
            String key = version + "\0" + sha + "\0" + e.name();
            String id = memo.get(key);
            if (id == null) {
                id = matcher.match(sha, e).map(KnownIssue::id).orElse("");
                memo.put(key, id);
            }
            String found = id;
            return found.isEmpty() ? Optional.empty() : issues.stream().filter(i -> i.id().equals(found)).findFirst();
        }

        int countKnown(String sha, List<ResultEntry> entries) {
            int n = 0;
            for (ResultEntry e : entries) {
                n += of(sha, e).isPresent() ? 1 : 0;
            }
            return n;
        }

        /** Changes whenever the issues do: part of what a kept page depends on. */
        String version() {
            return version;
        }
    }

    Session session() {
        return new Session();
    }

    /** The badge a known failure shows instead of "new". */
    static String badge(KnownIssue issue) {
        return "<a class=\"badge badge-known\" href=\"" + Html.esc(issue.url()) + "\" title=\"known issue\">known: "
                + Html.esc(issue.id()) + "</a>";
    }
}
