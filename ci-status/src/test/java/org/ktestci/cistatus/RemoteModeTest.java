package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote mode against an HTTP server that serves the fixture's output_dir and the /api/v1 documents of
 * http.md §5: every subcommand prints exactly what local mode prints, and blobs are cached and revalidated.
 */
class RemoteModeTest extends ResultsFixtureTest {
    FakeServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Integer> answers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        server = new FakeServer(this::handle, null);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " ims=" + ex.getRequestHeaders()
                .getFirst("If-Modified-Since"));
        try {
            if (path.startsWith("/c/")) {
                Path f = fx.output.root().resolve(URLDecoder.decode(path.substring(3), StandardCharsets.UTF_8));
                if (!Files.exists(f)) {
                    send(ex, 404, "{\"error\":\"not found\"}");
                    return;
                }
                Instant lm = Files.getLastModifiedTime(f).toInstant().truncatedTo(ChronoUnit.SECONDS);
                ex.getResponseHeaders().add("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.ofInstant(lm, ZoneOffset.UTC)));
                String ims = ex.getRequestHeaders().getFirst("If-Modified-Since");
                if (ims != null && !lm.isAfter(ZonedDateTime.parse(ims, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant())) {
                    answers.add(304);
                    ex.sendResponseHeaders(304, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                answers.add(200);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.equals("/api/v1/branches")) {
                List<Map<String, Object>> bs = new ArrayList<>();
                bs.add(Map.of("name", "main", "repo", "linux", "fetch", dir.resolve("upstream") + " main",
                        "test_groups", List.of("demo", "extra")));
                bs.add(Map.of("name", "alice-wip", "repo", "linux", "fetch", "https://example.org/linux.git wip",
                        "test_groups", List.of("demo")));
                send(ex, 200, new ObjectMapper().writeValueAsString(Map.of("user", "ci", "branches", bs)));
            } else if (path.equals("/api/v1/branches/main/commits")) {
                List<Map<String, Object>> cs = new ArrayList<>();
                try (Repository r = new FileRepositoryBuilder().setGitDir(dir.resolve("repo/.git").toFile()).build()) {
                    for (CommitInfo c : CommitLog.walk(r, CommitLog.branchTip(r, "ci", "main").orElseThrow(), 10)) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("commit", c.sha());
                        m.put("subject", c.subject());
                        m.put("message", c.message());
                        m.put("author", c.author());
                        m.put("time", Instant.ofEpochSecond(c.commitTime()).toString());
                        cs.add(m);
                    }
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("branch", "main");
                doc.put("commits", cs);
                doc.put("next_cursor", null);
                send(ex, 200, new ObjectMapper().writeValueAsString(doc));
            } else if (path.startsWith("/api/v1/commits/")) {
                String prefix = path.substring("/api/v1/commits/".length());
                String sha = fx.shas.stream().filter(s -> s.startsWith(prefix)).findFirst().orElse(null);
                send(ex, sha == null ? 404 : 200, sha == null ? "{\"error\":\"not found\"}" : "{\"commit\":\"" + sha + "\"}");
            } else {
                send(ex, 404, "{\"error\":\"not found\"}");
            }
        } finally {
            ex.close();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private CliRun remote(String... args) {
        return server.remote(dir, args);
    }

    private CliRun local(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", fx.config.toString()));
        all.addAll(List.of(args));
        return CliRun.of(false, CliRun.PLAIN_ENV, all.toArray(String[]::new));
    }

    @Test
    void everySubcommandPrintsWhatLocalModePrints() {
        for (List<String> cmd : List.of(List.of("branches"), List.of("branches", "--json"), List.of("log", "main"),
                List.of("log", "main", "--json"), List.of("show", fx.tip()), List.of("show", fx.tip().substring(0, 8)),
                List.of("show", fx.tip(), "--json"), List.of("logs", fx.tip()), List.of("logs", fx.tip(), "fail"),
                List.of("logs", fx.tip(), "fail", "--full"))) {
            CliRun l = local(cmd.toArray(String[]::new));
            CliRun r = remote(cmd.toArray(String[]::new));
            assertEquals(0, r.code(), cmd + "\n" + r.both());
            assertEquals(l.out(), r.out(), String.valueOf(cmd));
        }
    }

    @Test
    void cachesBlobsAndRevalidatesWithTheServersLastModified() throws Exception {
        Files.setLastModifiedTime(fx.output.blob(fx.tip()), FileTime.from(
                Instant.now().minusSeconds(3600)));
        assertEquals(0, remote("show", fx.tip()).code());
        Path cached = dir.resolve("cache").resolve("127.0.0.1_" + server.port())
                .resolve(fx.tip() + ".capnp");
        assertTrue(Files.exists(cached), "blob cached under <host>_<port>");
        assertEquals(Files.getLastModifiedTime(fx.output.blob(fx.tip())).toInstant()
                        .truncatedTo(ChronoUnit.SECONDS),
                Files.getLastModifiedTime(cached).toInstant(), "the cache keeps the server's Last-Modified");
        requests.clear();
        assertEquals(0, remote("show", fx.tip()).code());
        assertTrue(requests.stream().anyMatch(r -> r.startsWith("GET /c/" + fx.tip() + ".capnp ims=")
                && !r.endsWith("ims=null")), requests.toString());
        Files.delete(fx.output.blob(fx.tip()));
        CliRun gone = remote("show", fx.tip());
        assertEquals(1, gone.code());
        assertEquals("ci-status: no test results for commit " + fx.tip() + "\n", gone.err());
        assertTrue(!Files.exists(cached), "a 404 drops the cached copy");
    }

    @Test
    void anUnreachableServerFallsBackToTheCacheWithAWarning() {
        assertEquals(0, remote("show", fx.tip()).code());
        server.close();
        CliRun r = remote("show", fx.tip());
        assertEquals(0, r.code(), r.both());
        assertTrue(r.err().startsWith("warning: fetch " + fx.tip().substring(0, 12) + ": "), r.err());
        assertTrue(r.err().contains("; using cached copy"), r.err());
    }

    @Test
    void aBlobServedInTheSecondItChangedIsFetchedAgainNextTime() throws Exception {
        // Last-Modified has whole seconds: a rewrite later in the same second must not be hidden by a 304.
        Files.setLastModifiedTime(fx.output.blob(fx.tip()), FileTime.from(Instant.now()));
        assertEquals(0, remote("show", fx.tip()).code());
        requests.clear();
        answers.clear();
        assertEquals(0, remote("show", fx.tip()).code());
        assertTrue(requests.stream().anyMatch(r -> r.startsWith("GET /c/" + fx.tip() + ".capnp ims=")
                && !r.endsWith("ims=null")), requests.toString());
        assertTrue(answers.contains(200) && !answers.contains(304),
                "revalidated with a stamp a second early: fetched again, " + answers);
    }
}
