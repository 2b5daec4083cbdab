package org.ktestci.dashboard;

import org.ktestci.schema.results.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Maps a request to a view (http.md §1) and turns failures into safe error replies: JSON {@code {"error": …}}
 * in JSON modes, a small HTML page otherwise; a 500 shows only an error id, logged with its stack trace.
 */
final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final Pattern STATIC_NAME = Pattern.compile("^[a-z0-9-]+\\.(css|js)$");

    private final CiQueries queries;
    private final String base;
    private final HomeView home;
    private final BranchView branch;
    private final CommitView commit;
    private final ResultFiles files;
    private final ApiV1 api;

    Router(CiQueries queries, String basePath) {
        this.queries = queries;
        this.base = basePath;
        Commits commits = new Commits(new OutputDir(queries.outputDir()));
        this.home = new HomeView(queries, commits, basePath);
        this.branch = new BranchView(queries, commits, basePath);
        this.commit = new CommitView(queries, commits, basePath);
        this.files = new ResultFiles(queries.outputDir(), basePath);
        this.api = new ApiV1(queries, commits, basePath);
    }

    /** {@code rawPath} is the request path below the base path, still percent-encoded. */
    Reply handle(RequestInfo req) {
        try {
            return route(req);
        } catch (HttpError e) {
            return error(req, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            String id = "err-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
            LOG.error("request failed: id={} method={} path={}", id, req.method(), req.rawPath(), e);
            return error(req, 500, "internal error").withHeader("X-Error-Id", id);
        }
    }

    private Reply route(RequestInfo req) {
        String p = req.rawPath();
        List<String> seg = req.segments();
        boolean read = req.method().equals("GET") || req.method().equals("HEAD");
        if (p.equals("/") || p.isEmpty()) {
            return read ? Reply.redirect(base + "/ci") : notAllowed("GET, HEAD");
        }
        if (p.equals("/ci") || p.equals("/ci/")) {
            return read ? ci(req) : notAllowed("GET, HEAD");
        }
        if (p.startsWith("/c/")) {
            return read ? files.serve(req, p.substring(3)).withHeader("Access-Control-Allow-Origin", "*")
                    : notAllowed("GET, HEAD");
        }
        if (p.equals("/healthz")) {
            return read ? Reply.text(200, "ok") : notAllowed("GET, HEAD");
        }
        if (seg.size() == 2 && seg.get(0).equals("static")) {
            return read ? staticFile(seg.get(1)) : notAllowed("GET, HEAD");
        }
        if (seg.size() >= 2 && seg.get(0).equals("api") && seg.get(1).equals("v1")) {
            Reply r = apiV1(req, seg.subList(2, seg.size()), read);
            return r.withHeader("Access-Control-Allow-Origin", "*");
        }
        throw HttpError.notFound("Not found");
    }

    private Reply apiV1(RequestInfo req, List<String> seg, boolean read) {
        if (seg.equals(List.of("branches"))) {
            return read ? api.branches() : notAllowed("GET, HEAD");
        }
        if (seg.size() == 3 && seg.get(0).equals("branches") && seg.get(2).equals("commits")) {
            return read ? api.branchCommits(req, seg.get(1)) : notAllowed("GET, HEAD");
        }
        if (seg.size() == 2 && seg.get(0).equals("commits")) {
            return read ? api.commit(req, seg.get(1)) : notAllowed("GET, HEAD");
        }
        throw HttpError.notFound("Not found");
    }

    private Reply ci(RequestInfo req) {
        if (req.param("user").isPresent() && !req.param("user").get().equals(queries.user())) {
            throw HttpError.notFound("User " + req.param("user").get() + " not found");
        }
        if (req.param("commit").filter(c -> !c.isEmpty()).isPresent()) {
            return commit.render(req, req.param("commit").get());
        }
        if (req.param("branch").filter(b -> !b.isEmpty()).isPresent()) {
            return branch.render(req, req.param("branch").get());
        }
        if (req.hasParam("user")) {
            return home.user(req);
        }
        return home.home(req);
    }

    private Reply staticFile(String name) {
        if (!STATIC_NAME.matcher(name).matches()) {
            throw HttpError.notFound("Not found");
        }
        try (InputStream in = Router.class.getResourceAsStream("/static/" + name)) {
            if (in == null) {
                throw HttpError.notFound("Not found");
            }
            String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            return new Reply(200, type, in.readAllBytes(), Map.of());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Reply notAllowed(String allow) {
        return new Reply(405, Reply.TEXT, "Method Not Allowed".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Allow", allow));
    }

    private Reply error(RequestInfo req, int status, String message) {
        if (req.wantsJson()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", message);
            return Reply.json(status, body);
        }
        String title = status + " " + reason(status);
        String html = Html.page(base, title, "<h1>" + Html.esc(title) + "</h1><p>" + Html.esc(message)
                + "</p><p><a href=\"" + Html.esc(base) + "/ci\">back to the branch list</a></p>");
        return new Reply(status, Reply.HTML, html.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 414 -> "URI Too Long";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
