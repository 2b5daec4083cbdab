package org.ktestci.launcher.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random and mutated HTTP requests for the fuzzer: the dashboard's routes with their segments, queries, headers
 * and admin bodies replaced by hostile values (dot segments, encoded slashes, NULs, long strings, regex and glob
 * bombs, bad ranges and dates, wrong and right tokens), plus request lines that are not HTTP at all. Every
 * made-up word starts with {@value #WORD_PREFIX} so it can be recognised if it ever shows up as a
 * metrics label.
 */
final class RequestMaker {
    /** {@code garbage}: not an HTTP request at all; the server may keep waiting for the rest of it. */
    record Request(String target, String raw, boolean garbage) {
        Request(String target, String raw) {
            this(target, raw, false);
        }

        String summary() {
            String line = raw.lines().findFirst().orElse("");
            return line.length() > 200 ? line.substring(0, 200) + "…" : line;
        }
    }

    static final String WORD_PREFIX = "fzq";
    private static final List<String> ROUTES = List.of("/", "/ci", "/ci/", "/c/{sha}.capnp", "/c/{sha}/",
            "/c/{sha}/{key}/", "/c/{sha}/{key}/{file}", "/c/test_durations.capnp", "/api/v1/branches",
            "/api/v1/branches/{branch}/commits", "/api/v1/commits/{sha}", "/api/v1/tests/{key}/history",
            "/api/v1/workers", "/api/v1/queue", "/api/v1/events", "/api/v1/leases/{word}/log", "/metrics", "/healthz",
            "/readyz", "/static/{file}", "/api/v1/admin/{admin}", "/api/v1/admin/hosts/{host}/quarantine",
            "/api/v1/admin/leases/{word}/revoke", "/{word}", "/api/v1/{word}", "/api/v1/admin/{word}",
            "/c/{word}", "/api/v1/{word}/{word}/{word}");
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "GET", "HEAD", "POST", "POST", "DELETE",
            "PUT", "OPTIONS", "PATCH", "TRACE");
    private static final List<String> ADMIN = List.of("reload", "rerun", "rerun", "rerun", "clear-failed-to-run",
            "fetch", "refill", "gc");
    private static final List<String> FILES = List.of("status", "duration", "log.br", "full_log.br", "ktest-ci.css",
            "status.js", "..", ".", "%2e%2e", ".part", "x.new", ".ktest-ci-projection-offset");
    private static final List<String> KEYS = List.of("t.a", "t.b", "t.escape", "t.dirlink", "..", ".", "%2e%2e",
            "%2E%2e%2f..", "..%2f..", "a%00b", "t.a%5c..", "k.<script>", "a..b", "t.a/..", "%ff%fe");
    private static final List<String> QUERY_NAMES = List.of("user", "branch", "commit", "test", "format", "status",
            "limit", "cursor", "types", "dry_run", "user", "format");
    private static final List<String> VALUES = List.of("", "ci", "main", "json", "1", "0", "-1", "501",
            "99999999999999999999", "(a+)+$", "(a|a)*b", "[", "^t\\.a$", ".*", "verdict,lease", "nope", "true",
            "%00", "%zz", "%2F", "..", "<script>", "' OR 1=1 --", "a".repeat(300), "a".repeat(5000));
    private static final List<String> GLOBS = List.of("*", "[z-a]", "[", "t.[ab", "*a*a*a*a*a*a*a*a*b", "t.?",
            "[!a]*", "*[]*", "\\", "*".repeat(2000), "t.[a-]");

    private final Random random;
    private final List<String> shas;
    private final String token;

    RequestMaker(Random random, List<String> shas, String token) {
        this.random = random;
        this.shas = shas;
        this.token = token;
    }

    Request next() {
        if (random.nextInt(50) == 0) {
            return garbage();
        }
        String method = pick(METHODS);
        String target = path() + (random.nextInt(3) == 0 ? "" : "?" + query());
        StringBuilder raw = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n");
        headers(raw);
        String body = method.equals("POST") || method.equals("DELETE") || method.equals("PUT") ? body() : "";
        if (!body.isEmpty() || random.nextBoolean()) {
            raw.append("Content-Type: ").append(random.nextInt(6) == 0 ? "text/plain" : "application/json")
                    .append("\r\n");
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0 || method.equals("POST")) {
            raw.append("Content-Length: ").append(b.length).append("\r\n");
        }
        raw.append("\r\n").append(new String(b, StandardCharsets.ISO_8859_1));
        return new Request(target, raw.toString());
    }

    private String path() {
        String p = pick(ROUTES);
        while (p.contains("{")) {
            int open = p.indexOf('{');
            int close = p.indexOf('}', open);
            p = p.substring(0, open) + fill(p.substring(open + 1, close)) + p.substring(close + 1);
        }
        if (random.nextInt(8) == 0) {
            p = mutate(p);
        }
        return p.startsWith("/") ? p : "/" + p;
    }

    private String fill(String what) {
        return switch (what) {
            case "sha" -> switch (random.nextInt(6)) {
                case 0, 1 -> pick(shas);
                case 2 -> pick(shas).substring(0, 7 + random.nextInt(30));
                case 3 -> "f".repeat(40);
                case 4 -> "e".repeat(40);
                default -> word();
            };
            case "key" -> random.nextInt(3) == 0 ? word() : pick(KEYS);
            case "file" -> random.nextInt(4) == 0 ? word() : pick(FILES);
            case "branch" -> random.nextBoolean() ? "main" : random.nextBoolean() ? "ma%2Fin" : word();
            case "admin" -> pick(ADMIN);
            case "host" -> random.nextBoolean() ? "127.0.0.1" : word();
            default -> word();
        };
    }

    /** Dot segments, doubled or encoded slashes, NULs, backslashes, a long segment, or random bytes. */
    private String mutate(String p) {
        return switch (random.nextInt(8)) {
            case 0 -> p + "/../../../secret.txt";
            case 1 -> p.replace("/", "//");
            case 2 -> p.replace("/", "%2F");
            case 3 -> p + "%00";
            case 4 -> p + "\\..\\..";
            case 5 -> p + "/" + "x".repeat(3000 + random.nextInt(20_000));
            case 6 -> p + "/" + percentBytes(1 + random.nextInt(20));
            default -> p + "/.";
        };
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                q.append('&');
            }
            String name = random.nextInt(6) == 0 ? word() : pick(QUERY_NAMES);
            q.append(name);
            if (random.nextInt(6) != 0) {
                String v = random.nextInt(4) == 0 ? (random.nextBoolean() ? pick(shas) : word()) : pick(VALUES);
                q.append('=').append(v.replace(" ", "+").replace("&", "%26").replace("#", "%23"));
            }
        }
        return q.toString();
    }

    private void headers(StringBuilder raw) {
        switch (random.nextInt(5)) {
            case 0 -> raw.append("Authorization: Bearer ").append(token).append("\r\n");
            case 1 -> raw.append("Authorization: Bearer ").append(token).append("x\r\n");
            case 2 -> raw.append("Authorization: Basic ").append(word()).append("\r\n");
            default -> {
            }
        }
        if (random.nextInt(3) == 0) {
            raw.append("Range: ").append(pick(List.of("bytes=0-10", "bytes=-5", "bytes=5-", "bytes=999999999999-",
                    "bytes=a-b", "bytes=0-1,3-4", "bytes=10-5", "items=0-1", "bytes=-0"))).append("\r\n");
        }
        if (random.nextInt(3) == 0) {
            raw.append("If-Modified-Since: ").append(pick(List.of("Mon, 01 Jan 2001 00:00:00 GMT",
                    "Fri, 31 Dec 2100 23:59:59 GMT", "yesterday", "", "Mon, 99 Foo 2001 99:99:99 GMT"))).append("\r\n");
        }
        if (random.nextInt(2) == 0) {
            raw.append("Accept-Encoding: ").append(pick(List.of("br", "gzip, deflate", "identity", "*", "br;q=0",
                    "gzip;q=abc", word()))).append("\r\n");
        }
        if (random.nextInt(10) == 0) {
            raw.append("Last-Event-ID: ").append(pick(List.of("0-1", "deadbeef-99", word(), "-"))).append("\r\n");
        }
    }

    private String body() {
        if (random.nextInt(10) == 0) {
            return new String(randomBytes(random.nextInt(200)), StandardCharsets.ISO_8859_1);
        }
        List<String> fields = new ArrayList<>();
        if (random.nextBoolean()) {
            fields.add("\"commit\": " + json(random.nextBoolean() ? pick(shas) : random.nextBoolean()
                    ? pick(shas).substring(0, 8) : word()));
        }
        if (random.nextInt(3) == 0) {
            fields.add("\"branch\": " + json(random.nextBoolean() ? "main" : word()));
            fields.add("\"range\": " + json(random.nextBoolean() ? pick(shas) + ".." + pick(shas)
                    : pick(List.of("a..b", "..", "-x..y", "HEAD~1..HEAD", word()))));
        }
        if (random.nextBoolean()) {
            fields.add("\"pattern\": " + json(pick(GLOBS)));
        }
        if (random.nextInt(3) == 0) {
            fields.add("\"statuses\": " + pick(List.of("[\"failed\"]", "[\"nope\"]", "[1]", "\"failed\"", "[]")));
        }
        fields.add("\"dry_run\": " + pick(List.of("true", "true", "true", "false", "\"yes\"", "null")));
        if (random.nextInt(4) == 0) {
            fields.add("\"seconds\": " + pick(List.of("1", "0", "-5", "1e99", "\"x\"", "9223372036854775807")));
        }
        if (random.nextInt(5) == 0) {
            fields.add("\"commits\": " + pick(List.of("[]", "[\"" + pick(shas) + "\"]", "[\"zz\"]", "[3]", "{}")));
        }
        String doc = "{" + String.join(", ", fields) + "}";
        return random.nextInt(8) == 0 ? doc.substring(0, random.nextInt(doc.length())) : doc;
    }

    private Request garbage() {
        String raw = switch (random.nextInt(4)) {
            case 0 -> new String(randomBytes(1 + random.nextInt(100)), StandardCharsets.ISO_8859_1) + "\r\n\r\n";
            case 1 -> "GET " + word() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            case 2 -> "GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n";
            default -> "GET /ci HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-" + word() + ": "
                    + "v".repeat(random.nextInt(20_000)) + "\r\n\r\n";
        };
        return new Request("(garbage)", raw, true);
    }

    private String word() {
        StringBuilder w = new StringBuilder(WORD_PREFIX);
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
            w.append((char) ('a' + random.nextInt(26)));
        }
        return w.toString();
    }

    private String percentBytes(int n) {
        StringBuilder sb = new StringBuilder();
        for (byte b : randomBytes(n)) {
            sb.append(String.format("%%%02x", b & 0xff));
        }
        return sb.toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
