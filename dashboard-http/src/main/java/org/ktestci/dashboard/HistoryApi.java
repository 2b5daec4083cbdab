package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/tests/{key}/history?branch=b} (http.md §5.4): one key's status and duration at every commit
 * of the branch walk, where it started failing and where it last passed. The rule and the statistics cover the
 * whole walk; only {@code entries} is paged.
 */
final class HistoryApi {
    private final CiQueries queries;
    private final Commits commits;

    HistoryApi(CiQueries queries, Commits commits) {
        this.queries = queries;
        this.commits = commits;
    }

    /** One key over a walk, newest first. */
    record KeyRun(List<CommitInfo> log, List<Optional<Status>> statuses, List<Long> durations) {}

    KeyRun walk(String branch, String key) {
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits())
                .orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
        List<Optional<Status>> statuses = new ArrayList<>(log.size());
        List<Long> durations = new ArrayList<>(log.size());
        boolean seen = false;
        for (CommitInfo c : log) {
            Optional<ResultsCache.Compact> blob = commits.compact(c.sha());
            int i = blob.map(b -> b.find(key)).orElse(-1);
            statuses.add(i < 0 ? Optional.empty() : Optional.of(blob.get().status(i)));
            durations.add(i < 0 ? null : (long) blob.get().durations[i]);
            seen |= i >= 0;
        }
        if (!seen) {
            throw HttpError.notFound("Test " + key + " has no results on branch " + branch);
        }
        return new KeyRun(log, statuses, durations);
    }

    Reply history(RequestInfo req, String key) {
        String branch = req.param("branch").filter(b -> !b.isEmpty())
                .orElseThrow(() -> HttpError.badRequest("branch is required"));
        int limit = ApiV1.limit(req);
        KeyRun run = walk(branch, key);
        List<CommitInfo> log = run.log();
        int start = ApiV1.cursorStart(req, log);
        int end = Math.min(log.size(), start + limit);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = start; i < end; i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            String at = log.get(i).sha();
            e.put("commit", log.get(i).sha());
            e.put("subject", log.get(i).subject());
            e.put("status", run.statuses().get(i).map(Status::jsonCode).orElse(null));
            e.put("duration", run.durations().get(i));
            e.put("first_bad", run.statuses().get(i).filter(s -> s == Status.FAILED)
                    .flatMap(s -> Optional.ofNullable(queries.firstBad(at).get(key)))
                    .map(FirstBad::toJson).orElse(null));
            entries.add(e);
        }
        FailureRun rule = FailureRun.of(run.statuses());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", key);
        doc.put("branch", branch);
        doc.put("entries", entries);
        doc.put("first_failing", rule.firstFailing().isPresent() ? ordered(
                "commit", log.get(rule.firstFailing().getAsInt()).sha(),
                "index", rule.firstFailing().getAsInt(),
                "exact", rule.exact()) : null);
        doc.put("last_passing", rule.lastPassing().isPresent() ? ordered(
                "commit", log.get(rule.lastPassing().getAsInt()).sha(),
                "index", rule.lastPassing().getAsInt()) : null);
        doc.put("stats", stats(run));
        doc.put("next_cursor", end < log.size() && end > start ? log.get(end - 1).sha() : null);
        return Reply.json(200, doc);
    }

    /** Keys in the order given, as every other object of the API (Map.of has none). */
    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < keyValues.length; k += 2) {
            m.put((String) keyValues[k], keyValues[k + 1]);
        }
        return m;
    }

    /** Completed = Passed or Failed runs; the average duration is theirs (rounded down), null without any. */
    static Map<String, Object> stats(KeyRun run) {
        int passed = 0;
        int failed = 0;
        long total = 0;
        for (int i = 0; i < run.statuses().size(); i++) {
            Optional<Status> s = run.statuses().get(i);
            if (s.isPresent() && (s.get() == Status.PASSED || s.get() == Status.FAILED)) {
                if (s.get() == Status.PASSED) {
                    passed++;
                } else {
                    failed++;
                }
                total += run.durations().get(i);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("completed", passed + failed);
        m.put("passed", passed);
        m.put("failed", failed);
        m.put("avg_duration", passed + failed == 0 ? null : total / (passed + failed));
        return m;
    }
}
