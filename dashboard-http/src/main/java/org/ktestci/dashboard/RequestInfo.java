package org.ktestci.dashboard;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the views need of a request: method, the raw path below the base path and its decoded segments,
 * query parameters (first value, and which were present at all) and headers (lower-case names).
 */
record RequestInfo(String method, String rawPath, List<String> segments, Map<String, String> query,
                   Map<String, String> headers) {
    Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }

    boolean hasParam(String name) {
        return query.containsKey(name);
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
    }

    boolean wantsJson() {
        return "json".equals(query.get("format")) || rawPath.startsWith("/api/");
    }
}
