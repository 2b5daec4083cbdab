package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.ktestci.cistatus.ServerConnection.enc;

/**
 * Remote mode (cli.md §2, §4): branches and history from {@code /api/v1}, results as {@code <sha>.capnp} blobs
 * kept in a cache and revalidated with {@code If-Modified-Since} (the server's {@code Last-Modified} is stored
 * as the file's mtime, so clock skew does not matter), logs fetched raw and decoded locally, never cached.
 */
final class RemoteResults implements ResultsSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REVALIDATE_NEWEST = 5;

    private final ServerConnection server;
    private final Path cache;
    private final boolean refresh;
    private final PrintStream err;

    RemoteResults(String baseUrl, Path cacheRoot, boolean refresh, PrintStream err) {
        this.server = new ServerConnection(baseUrl);
        this.cache = cacheRoot.resolve(cacheName(URI.create(server.base)));
        this.refresh = refresh;
        this.err = err;
    }

    /** {@code <host>[_<port>]<base path with / → _>} (cli.md §4). */
    static String cacheName(URI u) {
        return u.getHost() + (u.getPort() >= 0 ? "_" + u.getPort() : "")
                + (u.getPath() == null ? "" : u.getPath().replace('/', '_'));
    }

    @Override
    public List<BranchConfig> branches() {
        List<BranchConfig> out = new ArrayList<>();
        for (JsonNode b : getJson("/api/v1/branches").path("branches")) {
            String[] fetch = b.path("fetch").asText("").split("\\s+", 2);
            List<String> groups = new ArrayList<>();
            b.path("test_groups").forEach(g -> groups.add(g.asText()));
            out.add(new BranchConfig(b.path("name").asText(""), fetch[0], fetch.length > 1 ? fetch[1] : "",
                    b.path("repo").asText("linux"), groups));
        }
        return out;
    }

    @Override
    public int defaultDepth() {
        return 500;
    }

    @Override
    public List<CommitInfo> history(String branch, int n) {
        List<CommitInfo> out = new ArrayList<>();
        String cursor = null;
        while (out.size() < n) {
            String path = "/api/v1/branches/" + enc(branch) + "/commits?limit=" + Math.min(500, n - out.size())
                    + (cursor == null ? "" : "&cursor=" + enc(cursor));
            JsonNode page = getJson(path);
            for (JsonNode c : page.path("commits")) {
                String sha = ServerIds.commit(c.path("commit").asText(null));
                if (c.path("failed_known").isInt()) {
                    knownCounts.put(sha, c.get("failed_known").asInt());
                }
                out.add(new CommitInfo(sha, c.path("subject").asText(""),
                        c.path("message").asText(""), c.path("author").asText(""), "",
                        time(c.path("time").asText(""))));
            }
            JsonNode next = page.get("next_cursor");
            if (next == null || next.isNull()) {
                break;
            }
            cursor = ServerIds.commit(next.asText(null));
        }
        return out;
    }

    @Override
    public Optional<CommitResults> results(String sha, int index) {
        Path cached = cached(sha);
        boolean revalidate = refresh || index < REVALIDATE_NEWEST || !Files.exists(cached) || unfinished(cached);
        return revalidate ? fetchBlob(sha, true) : readCached(cached);
    }

    @Override
    public LocalResults.Tested resultsOf(String prefix) {
        String sha = prefix.toLowerCase(Locale.ROOT);
        if (!OutputDir.isSha(sha)) {
            if (!sha.matches("^[0-9a-f]{7,39}$")) {
                throw new CliError("no test results for commit " + prefix);
            }
            Answer r = send("/api/v1/commits/" + sha, BoundedBody.JSON, null);
            if (r.status() == 404) {
                throw new CliError("no test results for commit " + prefix);
            }
            JsonNode doc = parse(r);
            if (r.status() != 200) {
                throw new CliError(doc.path("error").asText("HTTP " + r.status()));
            }
            sha = ServerIds.commit(doc.path("commit").asText(null));
        }
        CommitResults res = fetchBlob(sha, false).orElseThrow(() -> new CliError("no test results for commit " + prefix));
        return new LocalResults.Tested(sha, res);
    }

    @Override
    public Optional<byte[]> compressedLog(String sha, String key, boolean full) {
        Answer r = send("/c/" + ServerIds.commit(sha) + "/" + enc(key) + "/" + (full ? "full_log.br" : "log.br"),
                BoundedBody.LOG, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw new CliError("fetch log of " + key + ": HTTP " + r.status());
        }
        return Optional.of(r.body());
    }

    /** The server's journal knows every reason: one {@code /api/v1/commits} request instead of a log per result. */
    @Override
    public Map<String, FailureReason> failureReasons(String sha,
            List<ResultEntry> entries) {
        return perTest(sha, entries, Status.FAILED_TO_RUN, "failure reasons", "reason",
                r -> r.isObject() ? Optional.of(ReasonJson.read(r)) : Optional.empty());
    }

    /** {@code failed_known} of the commits {@link #history} listed: {@code log} needs no request per commit. */
    private final Map<String, Integer> knownCounts = new HashMap<>();

    @Override
    public int knownCount(String sha, List<ResultEntry> entries) {
        Integer n = knownCounts.get(sha);
        return n != null ? n : ResultsSource.super.knownCount(sha, entries);
    }

    /** The server's journal has the re-runs (issue 14 item 4). */
    @Override
    public Map<String, Reruns> reruns(String sha, List<ResultEntry> entries) {
        return perTest(sha, entries, Status.FAILED, "re-runs", "reruns", runs -> {
            if (!runs.isArray() || runs.isEmpty()) {
                return Optional.empty();
            }
            int passed = 0;
            for (JsonNode r : runs) {
                passed += "passed".equals(r.path("status").asText()) ? 1 : 0;
            }
            return Optional.of(new Reruns(runs.size(), passed));
        });
    }

    /** The server's journal has what bisection found (issue 14 item 3). */
    @Override
    public Map<String, String> firstBad(String sha, List<ResultEntry> entries) {
        return perTest(sha, entries, Status.FAILED, "first bad commits", "first_bad", f -> {
            if (!f.isObject()) {
                return Optional.empty();
            }
            List<String> good = new java.util.ArrayList<>();
            f.path("good").forEach(g -> good.add(g.asText()));
            return Optional.of(new org.ktestci.schema.results.FirstBad(f.path("sha").asText(),
                    f.path("subject").asText(), f.path("author").asText(), f.path("exact").asBoolean(), good,
                    f.path("candidates").asInt(), f.path("untestable").asText("")).line());
        });
    }

    /** The server matched every known issue, the admin-defined ones too. */
    @Override
    public Map<String, KnownRef> knownIssues(String sha, List<ResultEntry> entries) {
        return perTest(sha, entries, Status.FAILED, "known issues", "known_issue",
                k -> k.isObject() ? Optional.of(new KnownRef(k.path("id").asText(), k.path("url").asText()))
                        : Optional.empty());
    }

    /**
     * What {@code read} makes of one field of each test in the commit's {@code /api/v1/commits} document, by test
     * name; asked only when some result has {@code status}. The fields only add to what is printed: without them
     * the results are still worth showing, so a failed request is a warning and an empty map.
     */
    private <V> Map<String, V> perTest(String sha, List<ResultEntry> entries, Status status, String what,
            String field, Function<JsonNode, Optional<V>> read) {
        Map<String, V> out = new HashMap<>();
        if (entries.stream().noneMatch(e -> e.status() == status)) {
            return out;
        }
        JsonNode doc;
        try {
            doc = getJson("/api/v1/commits/" + sha);
        } catch (CliError e) {
            err.println("warning: " + what + " of " + sha.substring(0, 12) + ": " + e.getMessage());
            return out;
        }
        for (JsonNode t : doc.path("tests")) {
            read.apply(t.path(field)).ifPresent(v -> out.put(t.path("name").asText(), v));
        }
        return out;
    }

    /** GET the blob with If-Modified-Since; 304 → cache, 404 → none (cache dropped), errors → cache + warning. */
    private Optional<CommitResults> fetchBlob(String sha, boolean warnOnly) {
        Path cached = cached(sha);
        String since = null;
        try {
            if (Files.exists(cached)) {
                since = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(
                        Files.getLastModifiedTime(cached).toInstant(), ZoneOffset.UTC));
            }
            Answer r = send("/c/" + sha + ".capnp", BoundedBody.BLOB, since);
            switch (r.status()) {
                case 200 -> {
                    AtomicFiles.write(cached, r.body());
                    Instant lm = r.header("Last-Modified").flatMap(RemoteResults::httpDate).orElse(Instant.now());
                    Instant served = r.header("Date").flatMap(RemoteResults::httpDate).orElse(Instant.now());
                    // Last-Modified has whole seconds: a blob rewritten within the second it was served in would
                    // still look unmodified. Such a copy is stamped a second early, so the next run fetches again.
                    Instant stamp = lm.isBefore(served.minusSeconds(1)) ? lm : lm.minusSeconds(1);
                    Files.setLastModifiedTime(cached, FileTime.from(stamp));
                    return Optional.of(CommitResultsCodec.decode(r.body()));
                }
                case 304 -> {
                    return readCached(cached);
                }
                case 404 -> {
                    Files.deleteIfExists(cached);
                    return Optional.empty();
                }
                default -> throw new IOException("HTTP " + r.status());
            }
        } catch (IOException | CliError e) {
            String msg = "fetch " + ServerIds.sha12(sha) + ": " + e.getMessage();
            if (Files.exists(cached)) {
                err.println("warning: " + msg + "; using cached copy");
                return readCached(cached);
            }
            if (warnOnly) {
                err.println("warning: " + msg);
                return Optional.empty();
            }
            throw new CliError(msg);
        }
    }

    /** A commit's RFC 3339 time in unix seconds; 0 when absent or unreadable. */
    private static long time(String value) {
        try {
            return value.isEmpty() ? 0 : Instant.parse(value).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** A server's date header; an unparsable one is ignored rather than crashing the command. */
    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The cache file of a commit: only a full sha names one, and the file must lie directly in this server's cache
     * directory, so nothing a server sends can make the CLI write or delete a file elsewhere.
     */
    private Path cached(String sha) {
        Path file = cache.resolve(ServerIds.commit(sha) + ".capnp").normalize();
        if (!cache.normalize().equals(file.getParent())) {
            throw new CliError("cache file outside the cache directory: " + file);
        }
        return file;
    }

    private static Optional<CommitResults> readCached(Path cached) {
        try {
            return Files.exists(cached) ? Optional.of(CommitResultsCodec.read(cached)) : Optional.empty();
        } catch (IOException e) {
            throw new CliError(e.getMessage());
        }
    }

    /** A cached blob that still has In-progress or Unknown entries is always revalidated. */
    private static boolean unfinished(Path cached) {
        return readCached(cached).map(r -> r.entries().stream()
                .anyMatch(e -> e.status() == Status.INPROGRESS || e.status() == Status.UNKNOWN)).orElse(true);
    }

    private JsonNode getJson(String path) {
        Answer r = send(path, BoundedBody.JSON, null);
        JsonNode doc = parse(r);
        if (r.status() != 200) {
            throw new CliError(doc.path("error").asText("HTTP " + r.status() + " for " + path));
        }
        return doc;
    }

    private static JsonNode parse(Answer r) {
        try {
            JsonNode doc = JSON.readTree(r.body());
            if (doc == null) {
                throw new IOException("empty body");
            }
            return doc;
        } catch (IOException e) {
            throw new CliError("unreadable answer from the server (HTTP " + r.status() + ")");
        }
    }

    /** A response read in full, within its limit. */
    private record Answer(int status, HttpHeaders headers, byte[] body) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    private Answer send(String path, long maxBody, String ifModifiedSince) {
        HttpRequest.Builder b = server.request(path).timeout(Duration.ofSeconds(30))
                .header("Accept-Encoding", "identity");
        if (ifModifiedSince != null) {
            b.header("If-Modified-Since", ifModifiedSince);
        }
        HttpResponse<InputStream> r = server.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try {
            return new Answer(r.statusCode(), r.headers(), BoundedBody.read(r, maxBody, path));
        } catch (IOException e) {
            throw server.failure(e);
        }
    }
}
