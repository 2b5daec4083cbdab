package org.ktestci.dashboard;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The dashboard's HTTP server (Pekko HTTP, Java API): hands each request to the {@link Router} on the blocking
 * dispatcher (views read files and git, never on HTTP or actor threads) and adds the security headers of
 * http.md §10 to every response.
 */
public final class DashboardServer {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** Above the 4096-byte query limit plus a long path, so the router (not the parser) answers 414. */
    private static final int MAX_URI_LENGTH = 16 * 1024;

    private DashboardServer() {
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, CiQueries queries,
                                                       DashboardSettings settings) {
        String base = normalizeBase(settings.basePath());
        HttpMetrics metrics = new HttpMetrics(settings.registry());
        Router router = new Router(queries, base).withMetrics(metrics);
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        Materializer materializer = Materializer.matFromSystem(system);
        // Raw-Request-URI: the /c/ checks need the target as sent (encoded dots and slashes intact).
        ServerSettings defaults = ServerSettings.create(system.classicSystem());
        ServerSettings server = defaults.withRawRequestUriHeader(true)
                .withParserSettings(defaults.getParserSettings().withMaxUriLength(MAX_URI_LENGTH));
        Function<HttpRequest, CompletionStage<HttpResponse>> handler = request -> {
            request.discardEntityBytes(materializer); // no route reads a body
            long start = System.nanoTime();
            return CompletableFuture.supplyAsync(() -> {
                HttpResponse response = respondSafely(router, base, request);
                String path = request.getUri().path();
                String below = !base.isEmpty() && path.startsWith(base) ? path.substring(base.length()) : path;
                metrics.observe(HttpMetrics.route(below), response.status().intValue(), System.nanoTime() - start);
                return response;
            }, blocking);
        };
        return Http.get(system).newServerAt(settings.bindHost(), settings.port()).withSettings(server).bind(handler);
    }

    /** "" or "/prefix" without a trailing slash. */
    static String normalizeBase(String basePath) {
        String b = basePath == null ? "" : basePath.trim();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b.isEmpty() || b.startsWith("/") ? b : "/" + b;
    }

    private static HttpResponse respondSafely(Router router, String base, HttpRequest request) {
        try {
            return respond(router, base, request);
        } catch (RuntimeException e) {
            // The router turns view failures into error pages; this only catches a reply that cannot be sent.
            LOG.error("response failed: path={}", request.getUri().path(), e);
            return toResponse(Reply.text(500, "internal error"));
        }
    }

    private static HttpResponse respond(Router router, String base, HttpRequest request) {
        String method = request.method().value().toUpperCase(Locale.ROOT);
        String target = rawTarget(request);
        int q = target.indexOf('?');
        String path = q >= 0 ? target.substring(0, q) : target;
        String rawQuery = q >= 0 ? target.substring(q + 1) : "";
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpHeader h : request.getHeaders()) {
            headers.put(h.lowercaseName(), h.value());
        }
        if (!base.isEmpty()) {
            if (!path.equals(base) && !path.startsWith(base + "/")) {
                RequestInfo outside = RequestInfo.withoutQuery(method, path, headers);
                return toResponse(router.error(outside, 404, "Not found"));
            }
            path = path.substring(base.length());
        }
        RequestInfo info;
        try {
            info = RequestInfo.parse(method, path, rawQuery, headers);
        } catch (HttpError e) {
            RequestInfo withoutQuery = RequestInfo.withoutQuery(method, path, headers);
            return toResponse(router.error(withoutQuery, e.status(), e.getMessage()));
        }
        return toResponse(router.handle(info));
    }

    /** The request target as the client sent it (from Raw-Request-URI), reduced to path and query. */
    private static String rawTarget(HttpRequest request) {
        String target = request.getHeader("Raw-Request-URI").map(HttpHeader::value).orElse(null);
        if (target == null) {
            return request.getUri().path() + request.getUri().rawQueryString().map(s -> "?" + s).orElse("");
        }
        int hash = target.indexOf('#');
        if (hash >= 0) {
            target = target.substring(0, hash);
        }
        int scheme = target.indexOf("://");
        if (!target.startsWith("/") && scheme >= 0) { // absolute-form: drop scheme and authority
            int slash = target.indexOf('/', scheme + 3);
            target = slash >= 0 ? target.substring(slash) : "/";
        }
        return target;
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
        return r.withEntity(entity(contentType(reply.contentType()), reply.body()));
    }

    /**
     * The type exactly as http.md writes it: Pekko would render {@code charset=UTF-8} and drop the charset of
     * {@code application/json} altogether, so types with a charset are built as custom open-charset types.
     */
    static ContentType contentType(String value) {
        String[] parts = value.split(";\\s*charset=", 2);
        String[] type = parts[0].split("/", 2);
        if (parts.length < 2 || type.length < 2) {
            return ContentTypes.parse(value);
        }
        return MediaTypes.customWithOpenCharset(type[0], type[1], Map.of(), true)
                .toContentType(HttpCharsets.custom(parts[1]));
    }

    private static ResponseEntity entity(ContentType type, Reply.Body body) {
        if (body instanceof Reply.Streamed s && s.length() == 0) {
            closeQuietly(s);
            return HttpEntities.create(type, new byte[0]); // a sized streamed entity must not be empty
        }
        if (body instanceof Reply.Streamed s) {
            var source = StreamConverters.fromInputStream(s::in);
            return s.length() >= 0 ? HttpEntities.create(type, s.length(), source)
                    : HttpEntities.createChunked(type, source);
        }
        return HttpEntities.create(type, ((Reply.Bytes) body).data());
    }

    private static void closeQuietly(Reply.Streamed s) {
        try {
            s.in().close();
        } catch (java.io.IOException e) {
            LOG.debug("closing an empty body failed: {}", e.getMessage());
        }
    }
}
