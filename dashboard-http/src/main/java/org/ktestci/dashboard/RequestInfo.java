package org.ktestci.dashboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the views need of a request: method, the raw path below the base path (percent-encoding and dot
 * segments intact, for the {@code /c/} checks), query parameters (first value of each; bare {@code status}
 * counts as present with value "") and headers (lower-case names).
 */
record RequestInfo(String method, String rawPath, Map<String, String> query, Map<String, String> headers,
                   byte[] body) {
    static final int MAX_QUERY_BYTES = 4096;
    /** Pseudo-header with the client's address (not a valid header name, so a client cannot send it). */
    static final String CLIENT = ":client";
    /** Admin request bodies (http.md §6). */
    static final int MAX_BODY_BYTES = 64 * 1024;

    RequestInfo(String method, String rawPath, Map<String, String> query, Map<String, String> headers) {
        this(method, rawPath, query, headers, new byte[0]);
    }

    RequestInfo withBody(byte[] data) {
        return new RequestInfo(method, rawPath, query, headers, data);
    }

    /** Parses the raw query; malformed percent-encoding is a 400. */
    static RequestInfo parse(String method, String rawPath, String rawQuery, Map<String, String> headers) {
        if (rawQuery.getBytes(StandardCharsets.UTF_8).length > MAX_QUERY_BYTES) {
            throw new HttpError(414, "query string longer than " + MAX_QUERY_BYTES + " bytes");
        }
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = formDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : formDecode(pair.substring(eq + 1));
            query.putIfAbsent(name, value);
        }
        return new RequestInfo(method, rawPath, Map.copyOf(query), headers);
    }

    /** The same request without its query: what an error about the query itself is rendered with. */
    static RequestInfo withoutQuery(String method, String rawPath, Map<String, String> headers) {
        return new RequestInfo(method, rawPath, Map.of(), headers);
    }

    /** The path's segments after the leading {@code /}, each percent-decoded (empty ones kept). */
    List<String> segments() {
        List<String> out = new ArrayList<>();
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        for (String s : p.split("/", -1)) {
            try {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("invalid path");
            }
        }
        return out;
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }

    boolean hasParam(String name) {
        return query.containsKey(name);
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    boolean isRead() {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** JSON modes of http.md §9: {@code format=json} and everything under {@code /api/}. */
    boolean wantsJson() {
        return "json".equals(query.get("format")) || rawPath.startsWith("/api/");
    }

    private static String formDecode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed query string");
        }
    }
}
