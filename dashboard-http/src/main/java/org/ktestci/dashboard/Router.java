package org.ktestci.dashboard;

import org.ktestci.schema.results.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maps a request to a view (http.md §1) and turns failures into safe error replies (§9): JSON
 * {@code {"error": …}} in JSON modes, a small HTML page otherwise; a 500 shows only an error id, which is
 * logged with the stack trace. Unknown paths are 404; a known path asked with another method 405.
 */
final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final CiQueries queries;
    private final String base;
    private final HomeView home;
    private final BranchView branch;
    private final CommitView commit;
    private final ResultFiles files;
    private final StaticFiles statics;
    private final ApiV1 api;
    private final LiveApi live;
    private final HistoryApi history;
    private final KcidbApi kcidb;
    private final CompareView compare;
    private final FlakyView flaky;
    private final AdminApi admin;
    private final FeedView feed;
    private final PageCache pages;

    /** {@code /metrics} answers from this registry's metrics. */
    private final HttpMetrics metrics;

    Router(CiQueries queries, String basePath, Optional<Path> adminTokenFile, HttpMetrics metrics) {
        this.metrics = metrics;
        this.queries = queries;
        this.base = basePath;
        Commits commits = new Commits(new OutputDir(queries.outputDir()));
        this.live = new LiveApi(queries);
        this.home = new HomeView(queries, commits, basePath, live);
        this.branch = new BranchView(queries, commits, basePath);
        this.commit = new CommitView(queries, commits, basePath);
        this.files = new ResultFiles(queries.outputDir(), basePath);
        this.statics = new StaticFiles();
        this.api = new ApiV1(queries, commits, basePath);
        this.history = new HistoryApi(queries, commits);
        this.kcidb = new KcidbApi(queries, commits, basePath);
        this.compare = new CompareView(queries, commits, basePath);
        this.flaky = new FlakyView(queries, commits, basePath);
        this.admin = new AdminApi(queries, adminTokenFile);
        this.feed = new FeedView(queries, new RegressionFeed(queries, commits), basePath);
        this.pages = new PageCache(queries, PageCache.DEFAULT_MAX_BYTES);
    }

    Reply handle(RequestInfo req) {
        Reply reply;
        try {
            reply = route(req);
        } catch (HttpError e) {
            reply = error(req, e.status(), e.getMessage(), e.details()).withHeaders(e.headers());
        } catch (CiUnavailable e) {
            LOG.warn("coordinator unavailable: method={} path={}: {}", req.method(), req.rawPath(), e.getMessage());
            reply = error(req, 503, "coordinator unavailable");
        } catch (RuntimeException e) {
            String id = String.format("err-%08x", ThreadLocalRandom.current().nextInt());
            LOG.error("request failed: id={} method={} path={}", id, req.method(), req.rawPath(), e);
            reply = internalError(req, id);
        }
        return crossOrigin(req) ? reply.withHeader("Access-Control-Allow-Origin", "*") : reply;
    }

    /** http.md §10: {@code /api/v1} GETs and the {@code /c/} tree may be read by other origins; admin never. */
    private static boolean crossOrigin(RequestInfo req) {
        return req.rawPath().startsWith("/c/") || (req.rawPath().startsWith("/api/v1/") && req.isRead()
                && !req.rawPath().startsWith("/api/v1/admin/"));
    }

    private Reply route(RequestInfo req) {
        String p = req.rawPath();
        if (p.isEmpty() || p.equals("/")) {
            allow(req, "GET");
            return Reply.redirect(base + "/ci");
        }
        if (p.equals("/ci") || p.equals("/ci/")) {
            allow(req, "GET");
            // The live status page is never kept; the other views are made from output_dir, git and the
            // results index, all covered by the page cache's version.
            return req.hasParam("status") ? home.status(req) : pages.serve(req, () -> ci(req));
        }
        if (p.equals("/ci/feed")) {
            allow(req, "GET");
            return pages.serve(req, () -> feed.atom(req));
        }
        if (p.startsWith("/c/")) {
            ResultPath path = ResultPath.parse(p.substring(3));
            allow(req, path.kind().allow());
            return files.serve(req, path);
        }
        if (p.equals("/metrics")) {
            allow(req, "GET");
            return metrics.exposition();
        }
        if (p.equals("/healthz")) {
            allow(req, "GET");
            return Reply.text(200, "ok");
        }
        if (p.equals("/readyz")) {
            allow(req, "GET");
            if (!queries.ready()) {
                throw new HttpError(503, "not ready: the coordinator does not run on this node or its journal "
                        + "does not answer");
            }
            Map<String, String> unavailable = queries.unavailableCommits();
            if (unavailable.isEmpty()) {
                return Reply.text(200, "ready");
            }
            // Ready: one unreadable commit must not keep the farm down; the detail says which are missing.
            StringBuilder b = new StringBuilder("ready\n").append(unavailable.size())
                    .append(" journal entities quarantined (their commits' results are unavailable):\n");
            new TreeMap<>(unavailable).forEach((sha, why) -> b.append("commit-").append(sha).append(": ")
                    .append(why).append('\n'));
            return Reply.text(200, b.toString());
        }
        List<String> seg = req.segments();
        if (seg.size() == 2 && seg.get(0).equals("static")) {
            Reply r = statics.get(seg.get(1));
            allow(req, "GET");
            return r;
        }
        if (seg.size() > 2 && seg.get(0).equals("api") && seg.get(1).equals("v1")) {
            return apiV1(req, seg.subList(2, seg.size()));
        }
        throw HttpError.notFound("Not found");
    }

    private Reply apiV1(RequestInfo req, List<String> seg) {
        if (seg.equals(List.of("branches"))) {
            allow(req, "GET");
            return api.branches(); // carries the queue's pending and leased counts: live, never kept
        }
        if (seg.size() == 3 && seg.get(0).equals("branches") && seg.get(2).equals("commits")) {
            allow(req, "GET");
            return pages.serve(req, () -> api.branchCommits(req, seg.get(1)));
        }
        if (seg.size() == 2 && seg.get(0).equals("commits")) {
            allow(req, "GET");
            return pages.serve(req, () -> api.commit(req, seg.get(1)));
        }
        if (seg.size() == 3 && seg.get(0).equals("tests") && seg.get(2).equals("history")) {
            allow(req, "GET");
            return pages.serve(req, () -> history.history(req, seg.get(1)));
        }
        if (seg.size() == 3 && seg.get(0).equals("branches") && seg.get(2).equals("flaky")) {
            allow(req, "GET");
            return pages.serve(req, () -> flaky.api(seg.get(1)));
        }
        if (seg.size() == 3 && seg.get(0).equals("branches") && seg.get(2).equals("events")) {
            allow(req, "GET");
            return pages.serve(req, () -> feed.api(seg.get(1)));
        }
        if (seg.equals(List.of("known-issues"))) {
            allow(req, "GET");
            return api.knownIssues();
        }
        if (seg.equals(List.of("compare"))) {
            allow(req, "GET");
            return pages.serve(req, () -> compare.api(req));
        }
        if (seg.equals(List.of("kcidb"))) {
            allow(req, "GET");
            return kcidb.export(req);
        }
        if (seg.equals(List.of("workers"))) {
            allow(req, "GET");
            return live.workers();
        }
        if (seg.equals(List.of("queue"))) {
            allow(req, "GET");
            return live.queue();
        }
        if (seg.equals(List.of("events"))) {
            allow(req, "GET");
            return live.events(req);
        }
        if (seg.size() == 3 && seg.get(0).equals("leases") && seg.get(2).equals("log")) {
            allow(req, "GET");
            return live.leaseLog(seg.get(1));
        }
        if (!seg.isEmpty() && seg.get(0).equals("admin")) {
            return admin.handle(req, seg.subList(1, seg.size()));
        }
        throw HttpError.notFound("Not found");
    }

    /** The routing rules of http.md §2, first match wins. */
    private Reply ci(RequestInfo req) {
        if (req.hasParam("status")) {
            return home.status(req);
        }
        String user = req.param("user").orElse(null);
        if (user != null && !user.equals(queries.user())) {
            throw HttpError.notFound("User " + user + " not found");
        }
        if (req.hasParam("compare")) {
            return compare.page(req, req.param("compare").get());
        }
        if (req.hasParam("flaky")) {
            return flaky.page(req.param("flaky").get());
        }
        if (req.hasParam("commit")) {
            return commit.render(req, req.param("commit").get());
        }
        if (req.hasParam("branch")) {
            return branch.render(req, req.param("branch").get());
        }
        if (user != null) {
            return home.user(req);
        }
        return home.home(req);
    }

    /** 405 with {@code Allow} unless the request's method is one of {@code methods} ("GET, HEAD"). */
    private static void allow(RequestInfo req, String methods) {
        if (!List.of(methods.split(", ")).contains(req.method())) {
            throw HttpError.methodNotAllowed(methods);
        }
    }

    Reply error(RequestInfo req, int status, String message) {
        return error(req, status, message, Map.of());
    }

    Reply error(RequestInfo req, int status, String message, Map<String, Object> details) {
        if (req.wantsJson()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", message);
            body.putAll(details);
            return Reply.json(status, body);
        }
        return Reply.html(status, errorPage(status, "<p>" + Html.esc(message) + "</p>"));
    }

    private Reply internalError(RequestInfo req, String id) {
        if (req.wantsJson()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "internal error");
            body.put("id", id);
            return Reply.json(500, body);
        }
        return Reply.html(500, errorPage(500, "<p>internal error, id <code>" + Html.esc(id) + "</code></p>"));
    }

    private String errorPage(int status, String messageHtml) {
        String title = status + " " + reason(status);
        return Html.page(base, title, "<h1>" + Html.esc(title) + "</h1>" + messageHtml
                + "<p><a href=\"" + Html.esc(base) + "/ci\">back to the branch list</a></p>");
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
