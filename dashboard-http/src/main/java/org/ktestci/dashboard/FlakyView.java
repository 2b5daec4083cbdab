package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A branch's flaky tests (issue 14 item 4): over its last {@code flake_window} commits with results, per result
 * key, how many commits have a verdict for it, how many first verdicts failed, and how many of those a re-run
 * passed (flaky); the flake rate is flaky / tested. {@code /api/v1/branches/{b}/flaky} and {@code /ci?flaky=b}.
 */
final class FlakyView {
    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    FlakyView(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    /** One result key's counts over the window; {@code flakyCommits} newest first. */
    record TestFlakes(String key, int tested, int failed, int flaky, List<String> flakyCommits) {
        double rate() {
            return tested == 0 ? 0 : (double) flaky / tested;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", key);
            m.put("tested", tested);
            m.put("failed", failed);
            m.put("flaky", flaky);
            m.put("rate", Math.round(rate() * 1000) / 1000.0);
            m.put("flaky_commits", flakyCommits);
            return m;
        }
    }

    /** The window's tested commits (newest first) and the keys with at least one flaky result, worst first. */
    record Flakes(List<String> commits, List<TestFlakes> tests) {}

    Flakes of(String branch) {
        List<CommitInfo> log = queries.branchLog(branch, queries.keepResultsCommits())
                .orElseThrow(() -> HttpError.notFound("Branch " + branch + " not found"));
        int window = queries.flakeWindow();
        List<String> tested = new ArrayList<>();
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, List<String>> where = new TreeMap<>();
        for (CommitInfo c : log) {
            if (tested.size() >= window) {
                break;
            }
            Optional<ResultsCache.Compact> blob = commits.compact(c.sha());
            if (blob.isEmpty() || blob.get().size() == 0) {
                continue;
            }
            tested.add(c.sha());
            Map<String, List<Observation>> reruns = queries.reruns(c.sha());
            for (int i = 0; i < blob.get().size(); i++) {
                ResultEntry e = blob.get().entry(i);
                if (!e.status().isVerdict()) {
                    continue;
                }
                int[] n = counts.computeIfAbsent(e.name(), k -> new int[3]);
                n[0]++;
                if (e.status() == Status.FAILED) {
                    n[1]++;
                    if (Observation.flaky(e.status(), reruns.getOrDefault(e.name(), List.of()))) {
                        n[2]++;
                        where.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(c.sha());
                    }
                }
            }
        }
        List<TestFlakes> tests = new ArrayList<>();
        where.forEach((key, shas) -> {
            int[] n = counts.get(key);
            tests.add(new TestFlakes(key, n[0], n[1], n[2], List.copyOf(shas)));
        });
        tests.sort(Comparator.comparingDouble(TestFlakes::rate).reversed().thenComparing(TestFlakes::key));
        return new Flakes(List.copyOf(tested), List.copyOf(tests));
    }

    Reply api(String branch) {
        Flakes f = of(branch);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("branch", branch);
        doc.put("window", queries.flakeWindow());
        doc.put("commits", f.commits().size());
        doc.put("tests", f.tests().stream().map(TestFlakes::toJson).toList());
        return Reply.json(200, doc);
    }

    Reply page(String branch) {
        Flakes f = of(branch);
        StringBuilder b = new StringBuilder("<h1>Flaky tests of ").append(Html.esc(branch)).append("</h1>")
                .append("<p class=\"meta\" id=\"flaky-summary\">").append(f.tests().size()).append(" flaky test")
                .append(f.tests().size() == 1 ? "" : "s").append(" over the last ").append(f.commits().size())
                .append(" tested commits (<code>flake_window</code> = ").append(queries.flakeWindow())
                .append("); a failure is flaky when one of its automatic re-runs passed.</p>");
        if (f.tests().isEmpty()) {
            return Reply.html(Html.page(base, "Flaky tests of " + branch, b.toString()));
        }
        b.append("<table class=\"table flaky\"><thead><tr><th>Test</th><th>Flake rate</th><th>Flaky</th>")
                .append("<th>Failed</th><th>Tested</th><th>Flaky at</th></tr></thead><tbody>");
        for (TestFlakes t : f.tests()) {
            b.append("<tr data-key=\"").append(Html.esc(t.key())).append("\"><td>").append(Html.esc(t.key()))
                    .append("</td><td class=\"rate\">").append(Math.round(t.rate() * 100)).append("%</td><td>")
                    .append(t.flaky()).append("</td><td>").append(t.failed()).append("</td><td>").append(t.tested())
                    .append("</td><td>");
            for (String sha : t.flakyCommits()) {
                b.append("<a href=\"").append(Html.ciHref(base, "commit", sha, "branch", branch)).append("\"><code>")
                        .append(sha, 0, 12).append("</code></a> ");
            }
            b.append("</td></tr>");
        }
        b.append("</tbody></table>");
        return Reply.html(Html.page(base, "Flaky tests of " + branch, b.toString()));
    }

    /** The branch page's badge: how many tests were flaky in the window, linking to the view; "" when none. */
    String badge(String branch) {
        int n = of(branch).tests().size();
        return n == 0 ? "" : " <a class=\"badge badge-flaky\" id=\"flaky-badge\" href=\""
                + Html.ciHref(base, "flaky", branch) + "\">" + n + " flaky test" + (n == 1 ? "" : "s")
                + "</a>";
    }
}
