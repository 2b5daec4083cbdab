package org.ktestci.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ktestci.schema.config.AdminTokenFile;
import org.ktestci.schema.keys.KeyGlob;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.status.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/v1/admin/…} (http.md §6): bearer-token checks, JSON bodies, and the calls into
 * {@link AdminActions}. The token file is read, and its rules checked, at every call, so a rotated token applies
 * without a restart and a file that breaks the rules later disables the API; every call is logged with the
 * client address, never with the token.
 */
final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CiQueries queries;
    private final Optional<Path> tokenFile;

    AdminApi(CiQueries queries, Optional<Path> tokenFile) {
        this.queries = queries;
        this.tokenFile = tokenFile;
    }

    Reply handle(RequestInfo req, List<String> seg) {
        String route = route(req, seg);
        authorize(req);
        JsonNode body = body(req);
        LOG.info("admin call: {} {} from {}", req.method(), req.rawPath(), req.header(RequestInfo.CLIENT)
                .orElse("unknown"));
        AdminActions admin = queries.admin();
        return switch (route) {
            case "reload" -> reload(admin);
            case "rerun" -> rerun(admin, body);
            case "clear-failed-to-run" -> {
                Optional<List<String>> commits = body.has("commits")
                        ? Optional.of(strings(body, "commits")) : Optional.empty();
                yield Reply.json(200, Map.of("cleared", admin.clearFailedToRun(commits)));
            }
            case "quarantine" -> {
                long seconds = positiveLong(body, "seconds");
                yield Reply.json(200, LiveApi.hostDoc(admin.quarantine(seg.get(1), seconds)));
            }
            case "release" -> Reply.json(200, LiveApi.hostDoc(admin.release(seg.get(1))));
            case "revoke" -> {
                admin.revoke(seg.get(1));
                yield Reply.json(200, Map.of("revoked", true));
            }
            case "fetch" -> {
                admin.fetch();
                yield Reply.json(202, Map.of("queued", true));
            }
            case "refill" -> {
                admin.refill();
                yield Reply.json(202, Map.of("queued", true));
            }
            case "gc" -> {
                String dry = req.param("dry_run").orElse("false");
                if (!dry.equals("true") && !dry.equals("false")) {
                    throw HttpError.badRequest("dry_run must be true or false, got " + dry);
                }
                yield Reply.json(200, Map.of("removed", admin.gc(dry.equals("true"))));
            }
            case "known-issue-save" -> Reply.json(200, admin.saveKnownIssue(knownIssue(body)).toJson());
            case "known-issue-delete" -> {
                admin.deleteKnownIssue(seg.get(1));
                yield Reply.json(200, Map.of("deleted", true));
            }
            default -> throw new IllegalStateException(route);
        };
    }

    /** The action a path names (405 for a known path with another method, 404 for anything else). */
    private static String route(RequestInfo req, List<String> seg) {
        if (seg.size() == 1 && Set.of("reload", "rerun", "clear-failed-to-run", "fetch", "refill", "gc")
                .contains(seg.get(0))) {
            allow(req, "POST");
            return seg.get(0);
        }
        if (seg.size() == 3 && seg.get(0).equals("hosts") && seg.get(2).equals("quarantine")) {
            allow(req, "POST, DELETE");
            return req.method().equals("POST") ? "quarantine" : "release";
        }
        if (seg.equals(List.of("known-issues"))) {
            allow(req, "POST");
            return "known-issue-save";
        }
        if (seg.size() == 2 && seg.get(0).equals("known-issues")) {
            allow(req, "DELETE");
            return "known-issue-delete";
        }
        if (seg.size() == 3 && seg.get(0).equals("leases") && seg.get(2).equals("revoke")) {
            allow(req, "POST");
            return "revoke";
        }
        throw HttpError.notFound("Not found");
    }

    private static void allow(RequestInfo req, String methods) {
        if (!List.of(methods.split(", ")).contains(req.method())) {
            throw HttpError.methodNotAllowed(methods);
        }
    }

    private void authorize(RequestInfo req) {
        if (tokenFile.isEmpty()) {
            throw new HttpError(403, "admin API disabled");
        }
        String expected;
        try {
            // The file's rules (length, not world-readable) are checked at every read, not only at load: a token
            // made readable to everyone, or cut short, after start disables the admin API until it is fixed.
            expected = AdminTokenFile.read(tokenFile.get());
        } catch (AdminTokenFile.Problem p) {
            LOG.error("admin API refused: http.admin_token_file {}", p.getMessage());
            throw new HttpError(503, "admin token unavailable: see the coordinator log");
        }
        String given = req.header("authorization").filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim()).orElse("");
        boolean ok = !expected.isEmpty() && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            LOG.warn("admin call refused (missing or invalid token): {} {} from {}", req.method(), req.rawPath(),
                    req.header(RequestInfo.CLIENT).orElse("unknown"));
            throw new HttpError(401, "missing or invalid bearer token")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"ktest-ci\"");
        }
    }

    /** The JSON object body; an empty body is {@code {}}. */
    private static JsonNode body(RequestInfo req) {
        byte[] data = req.body();
        if (data.length > RequestInfo.MAX_BODY_BYTES) {
            throw new HttpError(413, "request body larger than " + RequestInfo.MAX_BODY_BYTES + " bytes");
        }
        if (data.length == 0) {
            return JSON.createObjectNode();
        }
        String type = req.header("content-type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).matches("application/json\\s*(;.*)?")) {
            throw new HttpError(415, "request body must be application/json");
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (IOException e) {
            throw HttpError.badRequest("invalid JSON body: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw HttpError.badRequest("request body must be a JSON object");
        }
        return node;
    }

    private static Reply reload(AdminActions admin) {
        AdminActions.Reload r = admin.reload();
        if (!r.applied()) {
            throw HttpError.withDetails(400, "config invalid", Map.of("errors", r.errors()));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("applied", true);
        doc.put("restart_required", r.restartRequired());
        return Reply.json(200, doc);
    }

    private static Reply rerun(AdminActions admin, JsonNode body) {
        Optional<String> commit = text(body, "commit");
        Optional<String> branch = text(body, "branch");
        Optional<String> range = text(body, "range");
        if (commit.isPresent() == (branch.isPresent() || range.isPresent())) {
            throw HttpError.badRequest("give either \"commit\" or \"branch\" with \"range\"");
        }
        if (branch.isPresent() != range.isPresent()) {
            throw HttpError.badRequest("\"branch\" and \"range\" go together");
        }
        if (range.isPresent() && !range.get().matches("[^.\\s]+\\.\\.[^.\\s]+")) {
            throw HttpError.badRequest("range must be A..B, got " + range.get());
        }
        KeyGlob pattern;
        try {
            pattern = KeyGlob.compile(text(body, "pattern").orElse("*"));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid pattern: " + e.getMessage());
        }
        Set<Status> statuses = new LinkedHashSet<>();
        for (String code : body.has("statuses") ? strings(body, "statuses") : List.<String>of()) {
            try {
                statuses.add(Status.fromJsonCode(code));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("unknown status " + code + " (one of passed, failed, notrun, "
                        + "failedToRun, inprogress, unknown)");
            }
        }
        boolean dryRun = body.has("dry_run") && bool(body, "dry_run");
        AdminActions.Cleared c = admin.rerun(new AdminActions.Rerun(commit, branch, range, pattern, statuses,
                dryRun));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cleared", c.cleared());
        doc.put("commits", c.commits());
        doc.put("keys", c.keys());
        return Reply.json(200, doc);
    }

    /** {@code {id, test, log?, url, fixed_by?}}, checked as the config's {@code [known_issue.<id>]} is. */
    private static KnownIssue knownIssue(JsonNode body) {
        String id = text(body, "id").orElseThrow(() -> HttpError.badRequest("\"id\" is required"));
        String test = text(body, "test").orElseThrow(() -> HttpError.badRequest("\"test\" is required"));
        String url = text(body, "url").orElseThrow(() -> HttpError.badRequest("\"url\" is required"));
        Optional<String> log = text(body, "log");
        Optional<String> fixedBy = text(body, "fixed_by");
        List<KnownIssue.Problem> problems =
                KnownIssue.problems(id, test, log, url, fixedBy);
        if (!problems.isEmpty()) {
            throw HttpError.badRequest(problems.stream().map(p -> p.field() + ": " + p.message())
                    .reduce((a, b) -> a + "; " + b).orElseThrow());
        }
        return new KnownIssue(id, test, log, url, fixedBy,
                KnownIssue.ADMIN);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw HttpError.badRequest("\"" + field + "\" must be a non-empty string");
        }
        return Optional.of(n.asText());
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isArray()) {
            throw HttpError.badRequest("\"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw HttpError.badRequest("\"" + field + "\" must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static long positiveLong(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 1) {
            throw HttpError.badRequest("\"" + field + "\" must be a positive integer");
        }
        return n.asLong();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isBoolean()) {
            throw HttpError.badRequest("\"" + field + "\" must be true or false");
        }
        return n.asBoolean();
    }
}
