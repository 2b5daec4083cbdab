package org.ktestci.dashboard;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The dashboard's HTTP server: translates Pekko HTTP requests for the {@link Router}, runs every view on the
 * blocking dispatcher (views read files and git), and adds the security headers of http.md §10.
 */
public final class DashboardServer {
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final int MAX_QUERY_BYTES = 4096;

    private DashboardServer() {
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, CiQueries queries,
                                                       DashboardSettings settings) {
        Router router = new Router(queries, settings.basePath());
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler =
                request -> CompletableFuture.supplyAsync(() -> respond(router, settings.basePath(), request), blocking);
        return Http.get(system).newServerAt(settings.bindHost(), settings.port()).bind(handler);
    }

    static HttpResponse respond(Router router, String base, HttpRequest request) {
        RequestInfo info = info(request, base);
        Reply reply;
        if (info == null) {
            reply = Reply.text(404, "Not found");
        } else if (request.getUri().rawQueryString().map(String::length).orElse(0) > MAX_QUERY_BYTES) {
            reply = Reply.text(414, "URI Too Long");
        } else {
            reply = router.handle(info);
        }
        return toResponse(reply);
    }

    /** Null when the path is outside the base path. */
    private static RequestInfo info(HttpRequest request, String base) {
        String path = rawPath(request);
        if (!base.isEmpty()) {
            if (!path.equals(base) && !path.startsWith(base + "/")) {
                return null;
            }
            path = path.substring(base.length());
        }
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        request.getUri().query().toMultiMap().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpHeader h : request.getHeaders()) {
            headers.put(h.lowercaseName(), h.value());
        }
        return new RequestInfo(request.method().value().toUpperCase(Locale.ROOT), path, segments, query, headers);
    }

    /** The path as the client sent it (percent-encoding and dot segments intact), from Raw-Request-URI. */
    private static String rawPath(HttpRequest request) {
        for (HttpHeader h : request.getHeaders()) {
            if (h.lowercaseName().equals("raw-request-uri")) {
                String target = h.value();
                int q = target.indexOf('?');
                String p = q >= 0 ? target.substring(0, q) : target;
                int scheme = p.indexOf("://");
                if (scheme >= 0) {
                    int slash = p.indexOf('/', scheme + 3);
                    p = slash >= 0 ? p.substring(slash) : "/";
                }
                return p;
            }
        }
        return request.getUri().path();
    }

    private static HttpResponse toResponse(Reply reply) {
        List<HttpHeader> headers = new ArrayList<>();
        headers.add(HttpHeader.parse("X-Content-Type-Options", "nosniff"));
        headers.add(HttpHeader.parse("Referrer-Policy", "no-referrer"));
        headers.add(HttpHeader.parse("X-Frame-Options", "DENY"));
        if (reply.contentType().startsWith("text/html")) {
            headers.add(HttpHeader.parse("Content-Security-Policy", CSP));
        }
        reply.headers().forEach((k, v) -> headers.add(HttpHeader.parse(k, v)));
        HttpResponse r = HttpResponse.create().withStatus(reply.status()).addHeaders(headers);
        if (reply.status() == 304) {
            return r;
        }
        return r.withEntity(ContentTypes.parse(reply.contentType()), reply.body());
    }
}
