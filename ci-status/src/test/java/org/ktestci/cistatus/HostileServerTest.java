package org.ktestci.cistatus;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ci-status --remote} against a server that lies (issue 12 item 4): commit ids that are paths or too
 * short, and bodies without end. The CLI accepts only 40-hex ids, writes and deletes only inside its cache, and
 * stops reading at a bound.
 */
class HostileServerTest {
    private static final String SHA = "ab".repeat(20);
    private static final long ENDLESS_CAP = 256L << 20;

    @TempDir
    Path dir;

    private FakeServer server;
    private volatile String commitAnswer;
    private volatile Consumer<HttpExchange> blobAnswer;
    private volatile String branchCommits;
    private final AtomicLong endlessWritten = new AtomicLong();

    @BeforeEach
    void serve() throws Exception {
        server = new FakeServer(this::handle, Executors.newCachedThreadPool());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        try {
            if (path.startsWith("/api/v1/commits/")) {
                send(ex, 200, commitAnswer);
            } else if (path.startsWith("/c/")) {
                blobAnswer.accept(ex);
            } else if (path.equals("/api/v1/branches/main/commits")) {
                send(ex, 200, branchCommits);
            } else if (path.equals("/api/v1/branches") || path.startsWith("/api/v1/leases/")) {
                endless(ex, path.startsWith("/api/v1/leases/") ? "data: " : "[");
            } else if (path.equals("/api/v1/workers")) {
                send(ex, 200, "{\"hosts\":[{\"host\":\"h\",\"arch\":\"x86_64\",\"slots\":1,\"state\":\"up\","
                        + "\"slot_list\":[{\"slot\":0,\"name\":\"h:0\",\"state\":\"busy\",\"lease\":{\"lease_id\":\"l\","
                        + "\"commit\":\"abc\",\"test\":\"t\",\"subtests\":[\"a\"],\"current_subtest\":\"a\","
                        + "\"elapsed_secs\":5}}]}]}");
            } else {
                send(ex, 404, "{\"error\":\"not found\"}");
            }
        } finally {
            ex.close();
        }
    }

    /** A body that never ends (up to a cap, so the server side stays bounded too), counting what got out. */
    private void endless(HttpExchange ex, String start) throws IOException {
        ex.sendResponseHeaders(200, 0);
        OutputStream o = ex.getResponseBody();
        o.write(start.getBytes(StandardCharsets.UTF_8));
        byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
        try {
            while (endlessWritten.get() < ENDLESS_CAP) {
                o.write(block);
                endlessWritten.addAndGet(block.length);
            }
        } catch (IOException e) {
            // the client hung up: what this test wants
        }
    }

    private static void send(HttpExchange ex, int status, String body) {
        try {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CliRun remote(String... args) {
        return server.remote(dir, args);
    }

    private List<Path> filesOutsideTheCache() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.startsWith(dir.resolve("cache"))).toList();
        }
    }

    /** A first, honest answer: the cache directory exists from then on, as it does after any real use. */
    private void cacheOneBlob() throws Exception {
        byte[] blob = CommitResultsCodec.encode(
                new CommitResults(SHA, "m", List.of()));
        blobAnswer = ex -> {
            try {
                ex.sendResponseHeaders(200, blob.length);
                ex.getResponseBody().write(blob);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        CliRun first = remote("show", SHA);
        assertEquals(0, first.code(), first.both());
        assertTrue(Files.isDirectory(dir.resolve("cache").resolve("127.0.0.1_" + server.port())));
    }

    @Test
    void aCommitIdThatIsAPathNeitherDeletesNorWritesOutsideTheCache() throws Exception {
        cacheOneBlob();
        Path victim = dir.resolve("victim.capnp");
        Files.writeString(victim, "precious");
        commitAnswer = "{\"commit\":\"../../victim\"}";
        blobAnswer = ex -> send(ex, 404, "{}"); // a 404 makes the CLI delete its cached copy
        CliRun deleting = remote("show", "abcdef12");
        assertTrue(Files.exists(victim), "nothing outside the cache is deleted");
        assertEquals("precious", Files.readString(victim));
        assertEquals(1, deleting.code(), deleting.both());
        assertEquals("ci-status: the server sent an invalid commit id \"../../victim\" (expected 40 lowercase hex "
                + "characters)\n", deleting.err());

        commitAnswer = "{\"commit\":\"../../planted\"}";
        blobAnswer = ex -> send(ex, 200, "not a blob");
        assertEquals(1, remote("show", "abcdef12").code());
        assertEquals(List.of(victim), filesOutsideTheCache(), "nothing is written outside the cache");
    }

    @Test
    void historyWithAPathForACommitIsRefused() throws Exception {
        cacheOneBlob();
        branchCommits = "{\"branch\":\"main\",\"commits\":[{\"commit\":\"../../planted\",\"subject\":\"s\"}],"
                + "\"next_cursor\":null}";
        blobAnswer = ex -> send(ex, 200, "not a blob");
        CliRun r = remote("log", "main");
        assertEquals(List.of(), filesOutsideTheCache(), "nothing is written outside the cache");
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().startsWith("ci-status: the server sent an invalid commit id \"../../planted\""), r.err());
    }

    @Test
    void aShortCommitIdIsAnErrorNotACrash() {
        commitAnswer = "{\"commit\":\"abc\"}";
        blobAnswer = ex -> send(ex, 500, "{}");
        CliRun r = remote("show", "abcdef12");
        assertEquals(1, r.code(), r.both());
        assertEquals("ci-status: the server sent an invalid commit id \"abc\" (expected 40 lowercase hex "
                + "characters)\n", r.err());
        CliRun workers = remote("workers");
        assertEquals(0, workers.code(), workers.both());
        assertTrue(workers.out().contains("  abc          t a (1/1)"), workers.out());
    }

    @Test
    void anEndlessJsonBodyIsCutAtItsBound() {
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> remote("branches"));
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().contains("/api/v1/branches: more than the limit of 32 MiB"), r.err());
        assertTrue(endlessWritten.get() < 64L << 20, "stopped reading at the bound, not at the server's end: "
                + endlessWritten.get());
    }

    @Test
    void anEndlessBlobIsCutAtItsBoundAndNotCached() throws Exception {
        blobAnswer = ex -> {
            try {
                endless(ex, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> remote("show", SHA));
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().contains("more than the limit of 128 MiB"), r.err());
        assertTrue(endlessWritten.get() < ENDLESS_CAP, "stopped at the bound: " + endlessWritten.get());
        try (Stream<Path> s = Files.walk(dir)) {
            assertFalse(s.anyMatch(p -> p.toString().endsWith(".capnp")), "nothing cached");
        }
    }

    @Test
    void anEndlessEventLineIsCutAtItsBound() {
        ServerApi api = new ServerApi(server.base);
        CliError e = assertThrows(CliError.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> api.follow("/api/v1/leases/l/log", ev -> true)));
        assertTrue(e.getMessage().contains("a line longer than the limit of 4 MiB"), e.getMessage());
        assertTrue(endlessWritten.get() < 64L << 20, "stopped at the bound: " + endlessWritten.get());
    }
}
