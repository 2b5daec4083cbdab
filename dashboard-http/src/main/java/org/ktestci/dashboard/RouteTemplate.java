package org.ktestci.dashboard;

import java.util.List;
import java.util.Set;

/**
 * The {@code route} label of the HTTP metrics (http.md §8): one of a fixed set of route templates, whatever the
 * request. Any path the router does not know, under {@code /api/v1/admin/} too, is {@value #OTHER}, so no request,
 * authenticated or not, can add a metrics series.
 */
public final class RouteTemplate {
    public static final String OTHER = "other";
    private static final Set<String> ADMIN_ACTIONS = Set.of("reload", "rerun", "clear-failed-to-run", "fetch",
            "refill", "gc");
    private static final Set<String> EXACT = Set.of("/metrics", "/healthz", "/readyz", "/api/v1/branches",
            "/api/v1/workers", "/api/v1/queue", "/api/v1/events");

    /** Every label value {@link #of} can give. */
    public static final List<String> ALL = List.of("/", "/ci", "/ci/feed", "/api/v1/branches/{branch}/events", "/c/*", "/static/*", "/metrics", "/healthz", "/readyz",
            "/api/v1/branches", "/api/v1/branches/{branch}/commits", "/api/v1/commits/{sha}",
            "/api/v1/tests/{key}/history", "/api/v1/workers", "/api/v1/queue", "/api/v1/events",
            "/api/v1/leases/{leaseId}/log", "/api/v1/admin/reload", "/api/v1/admin/rerun",
            "/api/v1/admin/clear-failed-to-run", "/api/v1/admin/fetch", "/api/v1/admin/refill", "/api/v1/admin/gc",
            "/api/v1/admin/hosts/{host}/quarantine", "/api/v1/admin/leases/{leaseId}/revoke", OTHER);

    private RouteTemplate() {
    }

    /** The template of a raw path below the base path (percent-encoding intact, no query). */
    public static String of(String rawPath) {
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return "/";
        }
        if (rawPath.equals("/ci") || rawPath.equals("/ci/")) {
            return "/ci";
        }
        if (rawPath.equals("/ci/feed")) {
            return "/ci/feed";
        }
        if (rawPath.startsWith("/c/")) {
            return "/c/*";
        }
        if (EXACT.contains(rawPath)) {
            return rawPath;
        }
        String[] seg = rawPath.substring(1).split("/", -1);
        if (seg.length == 2 && seg[0].equals("static") && !seg[1].isEmpty()) {
            return "/static/*";
        }
        if (seg.length < 3 || !seg[0].equals("api") || !seg[1].equals("v1")) {
            return OTHER;
        }
        return api(List.of(seg).subList(2, seg.length));
    }

    private static String api(List<String> s) {
        boolean named = s.size() >= 2 && !s.get(1).isEmpty();
        if (s.size() == 3 && named && s.get(0).equals("branches") && s.get(2).equals("commits")) {
            return "/api/v1/branches/{branch}/commits";
        }
        if (s.size() == 3 && named && s.get(0).equals("branches") && s.get(2).equals("events")) {
            return "/api/v1/branches/{branch}/events";
        }
        if (s.size() == 2 && named && s.get(0).equals("commits")) {
            return "/api/v1/commits/{sha}";
        }
        if (s.size() == 3 && named && s.get(0).equals("tests") && s.get(2).equals("history")) {
            return "/api/v1/tests/{key}/history";
        }
        if (s.size() == 3 && named && s.get(0).equals("leases") && s.get(2).equals("log")) {
            return "/api/v1/leases/{leaseId}/log";
        }
        if (s.size() == 2 && s.get(0).equals("admin") && ADMIN_ACTIONS.contains(s.get(1))) {
            return "/api/v1/admin/" + s.get(1);
        }
        if (s.size() == 4 && s.get(0).equals("admin") && !s.get(2).isEmpty()) {
            if (s.get(1).equals("hosts") && s.get(3).equals("quarantine")) {
                return "/api/v1/admin/hosts/{host}/quarantine";
            }
            if (s.get(1).equals("leases") && s.get(3).equals("revoke")) {
                return "/api/v1/admin/leases/{leaseId}/revoke";
            }
        }
        return OTHER;
    }
}
