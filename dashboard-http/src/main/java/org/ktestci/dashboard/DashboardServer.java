package org.ktestci.dashboard;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
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
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
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
        Router router = new Router(queries, base, settings.adminTokenFile(), metrics);
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        Materializer materializer = Materializer.matFromSystem(system);
        // Raw-Request-URI: the /c/ checks need the target as sent (encoded dots and slashes intact).
        ServerSettings defaults = ServerSettings.create(system.classicSystem());
        ServerSettings server = defaults.withRawRequestUriHeader(true).withRemoteAddressAttribute(true)
                .withParserSettings(defaults.getParserSettings().withMaxUriLength(MAX_URI_LENGTH))
                .withParsingErrorHandler(ParseErrors.class.getName());
        Function<HttpRequest, CompletionStage<HttpResponse>> handler = request -> {
            long start = System.nanoTime();
            return body(request, materializer).thenApplyAsync(body -> {
                HttpResponse response = respondSafely(router, base, request, body, materializer);
                metrics.observe(routeOf(request, base), response.status().intValue(), System.nanoTime() - start);
                return response;
            }, blocking);
        };
        return Http.get(system).newServerAt(settings.bindHost(), settings.port()).withSettings(server).bind(handler);
    }

    /**
     * The request body: only POST and DELETE (the admin API) read one, up to {@link RequestInfo#MAX_BODY_BYTES}
     * plus one byte so an oversized body is seen as such (413); every other body is discarded unread.
     */
    private static CompletionStage<Optional<byte[]>> body(HttpRequest request, Materializer materializer) {
        String method = request.method().value();
        if (!method.equals("POST") && !method.equals("DELETE")) {
            request.discardEntityBytes(materializer);
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return request.entity().withSizeLimit(RequestInfo.MAX_BODY_BYTES + 1)
                .toStrict(BODY_TIMEOUT_MILLIS, materializer)
                .thenApply(strict -> Optional.of(strict.getData().toArray()))
                .exceptionally(e -> {
                    // Too large: a body one byte over the limit, which the router answers 413; a body that did not
                    // arrive in full (slow or broken upload) is answered 408, never taken as empty.
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        if (t instanceof EntityStreamSizeException) {
                            return Optional.of(new byte[RequestInfo.MAX_BODY_BYTES + 1]);
                        }
                    }
                    return Optional.of(INCOMPLETE_BODY);
                });
    }

    /** Marks, by identity, a body that was not received in full. */
    private static final byte[] INCOMPLETE_BODY = new byte[0];

    private static final long BODY_TIMEOUT_MILLIS = 10_000;

    /** "" or "/prefix" without a trailing slash. */
    static String normalizeBase(String basePath) {
        String b = basePath == null ? "" : basePath.trim();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b.isEmpty() || b.startsWith("/") ? b : "/" + b;
    }

    private static HttpResponse respondSafely(Router router, String base, HttpRequest request,
                                              Optional<byte[]> body, Materializer materializer) {
        try {
            return respond(router, base, request, body, materializer);
        } catch (RuntimeException e) {
            // The router turns view failures into error pages; this only catches a reply that cannot be sent.
            LOG.error("response failed: path={}", request.getUri().path(), e);
            return toResponse(Reply.text(500, "internal error"), materializer);
        }
    }

    private static HttpResponse respond(Router router, String base, HttpRequest request, Optional<byte[]> body,
                                        Materializer materializer) {
        String method = request.method().value().toUpperCase(Locale.ROOT);
        String target = rawTarget(request);
        int q = target.indexOf('?');
        String path = q >= 0 ? target.substring(0, q) : target;
        String rawQuery = q >= 0 ? target.substring(q + 1) : "";
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpHeader h : request.getHeaders()) {
            headers.put(h.lowercaseName(), h.value());
        }
        // Pekko keeps Content-Type on the entity, not among the headers.
        ContentType bodyType = request.entity().getContentType();
        if (!bodyType.equals(ContentTypes.NO_CONTENT_TYPE)) {
            headers.put("content-type", bodyType.toString());
        }
        request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(a -> a.getAddress()).ifPresent(a -> headers.put(RequestInfo.CLIENT, a.getHostAddress()));
        if (!base.isEmpty()) {
            if (!path.equals(base) && !path.startsWith(base + "/")) {
                RequestInfo outside = RequestInfo.withoutQuery(method, path, headers);
                return toResponse(router.error(outside, 404, "Not found"), materializer);
            }
            path = path.substring(base.length());
        }
        RequestInfo info;
        try {
            info = RequestInfo.parse(method, path, rawQuery, headers);
        } catch (HttpError e) {
            RequestInfo withoutQuery = RequestInfo.withoutQuery(method, path, headers);
            return toResponse(router.error(withoutQuery, e.status(), e.getMessage()), materializer);
        }
        if (body.isPresent() && body.get() == INCOMPLETE_BODY) {
            LOG.warn("request body incomplete after {} ms: {} {}", BODY_TIMEOUT_MILLIS, method, path);
            return toResponse(router.error(info, 408, "request body not received in full within "
                    + BODY_TIMEOUT_MILLIS / 1000 + " s"), materializer);
        }
        return toResponse(router.handle(body.map(info::withBody).orElse(info)), materializer);
    }

    /** The metrics label of a request: its raw path's template below the base path (outside it: "other"). */
    private static String routeOf(HttpRequest request, String base) {
        String target = rawTarget(request);
        int q = target.indexOf('?');
        String path = q >= 0 ? target.substring(0, q) : target;
        if (!base.isEmpty()) {
            if (!path.equals(base) && !path.startsWith(base + "/")) {
                return RouteTemplate.OTHER;
            }
            path = path.substring(base.length());
        }
        return RouteTemplate.of(path);
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

    private static HttpResponse toResponse(Reply reply, Materializer materializer) {
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
        if (reply.body() instanceof Reply.EventStream events) {
            return r.withEntity(eventStream(events, materializer));
        }
        return r.withEntity(entity(contentType(reply.contentType()), reply.body()));
    }

    /**
     * An open {@code text/event-stream}: frames from the hub through a bounded queue (a client that falls
     * {@value #CLIENT_BUFFER} frames behind is dropped), a {@code : keepalive} comment every 15 s, and the
     * subscriber detached when the client goes away.
     */
    private static ResponseEntity eventStream(Reply.EventStream events, Materializer materializer) {
        Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queue =
                Source.<ByteString>queue(CLIENT_BUFFER).preMaterialize(materializer);
        BoundedSourceQueue<ByteString> q = queue.first();
        EventHub.Subscriber subscriber = frame -> {
            QueueOfferResult result = q.offer(ByteString.fromString(frame, StandardCharsets.UTF_8));
            if (result == QueueOfferResult.enqueued()) {
                return true;
            }
            if (result == QueueOfferResult.dropped()) {
                LOG.info("dropping a slow event-stream client: {} frames buffered", CLIENT_BUFFER);
                q.fail(new IllegalStateException("client too slow"));
            }
            return false;
        };
        events.attach().accept(subscriber);
        Source<ByteString, NotUsed> body = queue.second()
                .keepAlive(KEEPALIVE, () -> KEEPALIVE_FRAME)
                .watchTermination((mat, done) -> {
                    done.whenComplete((ok, err) -> events.detach().accept(subscriber));
                    return mat;
                });
        return HttpEntities.createChunked(ContentTypes.parse("text/event-stream"), body);
    }

    private static final int CLIENT_BUFFER = 1000;
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final ByteString KEEPALIVE_FRAME = ByteString.fromString(": keepalive\n\n");

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
        // Bodies are never written after a Reply holds them (kept pages are shared): wrap, do not copy 10 MB.
        return HttpEntities.create(type, ByteString.fromArrayUnsafe(((Reply.Bytes) body).data()));
    }

    private static void closeQuietly(Reply.Streamed s) {
        try {
            s.in().close();
        } catch (IOException e) {
            LOG.debug("closing an empty body failed: {}", e.getMessage());
        }
    }
}
