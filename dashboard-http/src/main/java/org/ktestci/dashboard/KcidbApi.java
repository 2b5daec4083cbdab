package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.kcidb.KcidbExport;
import org.ktestci.schema.results.CommitResults;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/kcidb?commit=<sha>} (issue 14 item 7): one commit's results as KCIDB v5 JSON, ready to be
 * submitted to KernelCI's database. Log URLs are absolute: under {@code ci_url} when the config sets it, else
 * under the address this request came in by.
 */
final class KcidbApi {
    private final CiQueries queries;
    private final Commits commits;
    private final String base;

    KcidbApi(CiQueries queries, Commits commits, String base) {
        this.queries = queries;
        this.commits = commits;
        this.base = base;
    }

    Reply export(RequestInfo req) {
        String prefix = req.param("commit").filter(c -> !c.isEmpty())
                .orElseThrow(() -> HttpError.badRequest("commit is required"));
        String sha = commits.resolve(prefix);
        CommitResults results = commits.results(sha)
                .orElseThrow(() -> HttpError.notFound("No test results for commit " + prefix));
        CiQueries.KcidbSettings settings = queries.kcidbSettings();
        String url = settings.publicUrl().orElseGet(() -> "http://" + req.header("host").orElse("localhost") + base);
        Map<String, KcidbExport.RunPlace> places = new HashMap<>();
        queries.resultDetails(sha).forEach((key, d) -> {
            if (d.host().isPresent()) {
                places.put(key, new KcidbExport.RunPlace(d.host().get(), d.slot().orElse(0), d.arch().orElse("")));
            }
        });
        String message = results.message().isEmpty()
                ? queries.commit(sha).map(CommitInfo::message).orElse("") : results.message();
        List<String> containing = queries.branchesContaining(sha);
        KcidbExport.Checkout source = containing.isEmpty() ? KcidbExport.Checkout.UNKNOWN
                : settings.checkoutOf().apply(containing.get(0));
        return Reply.json(200, KcidbExport.export(settings.origin(), url.replaceAll("/+$", ""), sha, message, source,
                results.entries(), settings.kernels()::kernelOf, places));
    }
}
