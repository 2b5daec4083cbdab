package org.ktestci.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be answered: its status code, a message safe to show (no paths, no traces) and any
 * headers the status needs ({@code Allow} on 405).
 */
public final class HttpError extends RuntimeException {
    private final int status;
    private final transient Map<String, String> headers;
    private final transient Map<String, Object> details;

    public HttpError(int status, String message) {
        this(status, message, Map.of(), Map.of());
    }

    private HttpError(int status, String message, Map<String, String> headers, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.details = Map.copyOf(details);
    }

    /** Fields the JSON error body carries next to {@code error} (the keys of a 409, a reload's errors). */
    public Map<String, Object> details() {
        return details;
    }

    public static HttpError withDetails(int status, String message, Map<String, Object> details) {
        return new HttpError(status, message, Map.of(), details);
    }

    public HttpError withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpError(status, getMessage(), h, details);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    /** 405 for a known path asked with another method; {@code allow} lists the methods it answers. */
    public static HttpError methodNotAllowed(String allow) {
        return new HttpError(405, "method not allowed", Map.of("Allow", allow), Map.of());
    }
}
