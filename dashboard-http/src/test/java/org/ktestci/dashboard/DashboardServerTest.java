package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard over real HTTP, a real git repository and a real output_dir. */
class DashboardServerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOG_TEXT = "00000 ========= TEST   fail\n00001 <script>alert(1)</script>\n";
    private static Path dir;
    private static Repository repo;
    private static final List<String> SHAS = new ArrayList<>();
    private static ServerBinding binding;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dashboard-test");
        Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("repo").toFile()).call();
        repo = git.getRepository();
        for (int i = 0; i < 4; i++) {
            Files.writeString(dir.resolve("repo/f"), "v" + i);
            git.add().addFilepattern("f").call();
            PersonIdent id = new PersonIdent(new PersonIdent("Dev <x>", "d@e.org"),
                    Date.from(Instant.ofEpochSecond(1_700_000_000L + 60L * i)), TimeZone.getTimeZone("UTC"));
            SHAS.add(git.commit().setMessage("fix <script>alert('" + i + "')</script>\n\nbody\n").setAuthor(id)
                    .setCommitter(id).setSign(false).call().getName());
        }
        RefUpdate u = repo.updateRef("refs/heads/ci/main");
        u.setNewObjectId(repo.resolve(SHAS.get(3)));
        u.update();
        OutputDir out = new OutputDir(dir.resolve("out"));
        Files.createDirectories(out.root());
        // SHAS[3] (tip): pass + fail; SHAS[2]: untested; SHAS[1]: pass + pass; SHAS[0]: untested.
        blob(out, 3, Map.of("t.a<b>", Status.PASSED, "t.fail", Status.FAILED));
        blob(out, 1, Map.of("t.a<b>", Status.PASSED, "t.fail", Status.PASSED));
        Path fail = out.keyDir(SHAS.get(3), "t.fail");
        Files.createDirectories(fail);
        AtomicFiles.writeString(fail.resolve("status"), "========= FAILED fail in 4s\n");
        AtomicFiles.writeString(fail.resolve("duration"), "4");
        Files.write(fail.resolve("full_log.br"), Brotli.compress("full run\n".getBytes(StandardCharsets.UTF_8)));
        Files.write(fail.resolve("log.br"), Brotli.compress(LOG_TEXT.getBytes(StandardCharsets.UTF_8)));
        Path escape = out.keyDir(SHAS.get(3), "t.escape");
        Files.createDirectories(escape);
        Files.writeString(dir.resolve("secret"), "do not serve");
        Files.createSymbolicLink(escape.resolve("full_log.br"), Paths.get("../../../secret"));
        binding = DashboardServer.start(KIT.system(), new Queries(out.root()), new DashboardSettings("127.0.0.1", 0, ""))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + binding.localAddress().getPort();
    }

    private static void blob(OutputDir out, int i, Map<String, Status> results) throws IOException {
        List<ResultEntry> e = new ArrayList<>();
        results.forEach((k, s) -> e.add(new ResultEntry(k, s, 4, 1_700_000_000L)));
        CommitResultsCodec.writeAtomically(out.blob(SHAS.get(i)), new CommitResults(SHAS.get(i),
                "fix <script>alert('" + i + "')</script>\n\nbody\n", e));
    }

    @AfterAll
    static void stop() throws Exception {
        binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        KIT.shutdownTestKit();
        repo.close();
    }

    /** A fixed view of the coordinator for the dashboard: one branch "main" in the test repository. */
    record Queries(Path outputDir) implements CiQueries {
        public String user() {
            return "ci";
        }

        public int keepResultsCommits() {
            return 500;
        }

        public List<BranchSummary> branches() {
            return List.of(new BranchSummary("main", "linux", "/up main", List.of("demo"), Optional.of(SHAS.get(3)),
                    Optional.of("fix"), Optional.of(Instant.EPOCH), Optional.empty()));
        }

        public Optional<List<CommitInfo>> branchLog(String branch, int max) {
            if (!branch.equals("main")) {
                return Optional.empty();
            }
            try {
                return Optional.of(CommitLog.walk(repo, repo.resolve(SHAS.get(3)), max));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        public Optional<CommitInfo> commit(String sha) {
            try {
                return CommitLog.lookup(repo, sha);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        public List<String> branchesContaining(String sha) {
            return SHAS.contains(sha) ? List.of("main") : List.of();
        }

        public Map<String, ResultDetail> resultDetails(String sha) {
            return Map.of("t.fail", new ResultDetail(Optional.of("========= FAILED fail in 4s"), Optional.of("farm1"),
                    Optional.of(3), Optional.of("x86_64"), Optional.of(1), Optional.empty(),
                    Optional.of("runner=qemu command=qemu-system-x86_64 -nodefaults")));
        }
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), body(r));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void homeAndUserJsonHaveKtestShapes() throws Exception {
        assertEquals("[{\"user\":\"ci\",\"branches\":[\"main\"]}]", JSON.writeValueAsString(json("/ci?format=json")));
        assertEquals("{\"user\":\"ci\",\"branches\":[\"main\"]}", JSON.writeValueAsString(json("/ci?user=ci&format=json")));
        assertEquals(302, get("/").statusCode());
    }

    @Test
    void branchJsonListsTestedCommitsNewestFirstWithCounts() throws Exception {
        JsonNode b = json("/ci?user=ci&branch=main&format=json");
        assertEquals(2, b.size());
        assertEquals(SHAS.get(3), b.get(0).get("commit").asText());
        assertEquals(1, b.get(0).get("passed").asInt());
        assertEquals(1, b.get(0).get("failed").asInt());
        assertEquals(8, b.get(0).get("duration").asInt());
        assertEquals(SHAS.get(1), b.get(1).get("commit").asText());
        assertEquals(2, b.get(1).get("passed").asInt());
        JsonNode filtered = json("/ci?branch=main&test=fail&format=json");
        assertEquals(1, filtered.get(0).get("failed").asInt());
        assertEquals(0, filtered.get(0).get("passed").asInt());
    }

    @Test
    void branchHtmlCollapsesUntestedCommitsAndEscapesSubjects() throws Exception {
        String html = body(get("/ci?branch=main"));
        assertTrue(html.contains("(1 untested commits)"), html);
        assertFalse(html.contains("<script>alert"), "commit subjects are escaped");
        assertTrue(html.contains("fix &lt;script&gt;alert(&#39;3&#39;)&lt;/script&gt;"), html);
        String single = body(get("/ci?branch=main&test=t%5C.fail"));
        assertTrue(single.contains("2 completed runs: 1 passed (50.0%), 1 failed (50.0%); average duration 4s"), single);
    }

    @Test
    void commitViewJsonHtmlAndApi() throws Exception {
        JsonNode c = json("/ci?commit=" + SHAS.get(3).substring(0, 10) + "&format=json");
        assertEquals(SHAS.get(3), c.get("commit").asText());
        assertEquals("t.a<b>", c.get("tests").get(0).get("name").asText());
        assertEquals("Failed", c.get("tests").get(1).get("status").asText());
        String html = body(get("/ci?commit=" + SHAS.get(3)));
        assertTrue(html.contains("t.a&lt;b&gt;"), "test names are escaped");
        assertTrue(html.contains("data-status=\"failed\""));
        assertTrue(html.contains("<pre id=\"testlog\"></pre>"));
        assertTrue(html.contains("<td>&gt;= 1</td>"), "t.fail failed here and the commit before is untested: " + html);
        assertTrue(html.contains("class=\"h-none\""), "the untested commit shows as an empty history cell");
        JsonNode api = json("/api/v1/commits/" + SHAS.get(3));
        JsonNode fail = api.get("tests").get(1);
        assertEquals("failed", fail.get("status").asText());
        assertEquals("farm1", fail.get("host").asText());
        assertEquals("runner=qemu command=qemu-system-x86_64 -nodefaults", fail.get("run").asText());
        assertEquals("/c/" + SHAS.get(3) + "/t.fail/log.br", fail.get("log_url").asText());
        assertEquals(1, api.get("counts").get("failed").asInt());
        assertEquals("main", api.get("branches").get(0).asText());
    }

    @Test
    void errorsAreClearAndSafe() throws Exception {
        HttpResponse<byte[]> badRegex = get("/ci?branch=main&test=(&format=json");
        assertEquals(400, badRegex.statusCode());
        assertTrue(body(badRegex).startsWith("{\"error\":\"invalid test regex: "), body(badRegex));
        assertEquals(404, get("/ci?user=bob").statusCode());
        assertEquals("{\"error\":\"Branch nope not found\"}", body(get("/ci?branch=nope&format=json")));
        assertEquals(404, get("/ci?commit=" + "f".repeat(40)).statusCode());
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/ci"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void everyResponseCarriesSecurityHeaders() throws Exception {
        HttpResponse<byte[]> html = get("/ci");
        assertEquals("nosniff", html.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("DENY", html.headers().firstValue("X-Frame-Options").orElse(""));
        assertTrue(html.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals("no-referrer", get("/c/" + SHAS.get(3) + ".capnp").headers().firstValue("Referrer-Policy").orElse(""));
    }

    @Test
    void servesBrotliLogsThreeWays() throws Exception {
        String path = "/c/" + SHAS.get(3) + "/t.fail/log.br";
        HttpResponse<byte[]> raw = get(path, "Accept-Encoding", "identity");
        assertEquals("application/x-brotli", raw.headers().firstValue("Content-Type").orElse(""));
        assertEquals(LOG_TEXT, new String(Brotli.decompress(raw.body()), StandardCharsets.UTF_8));
        HttpResponse<byte[]> br = get(path, "Accept-Encoding", "gzip, br");
        assertEquals("br", br.headers().firstValue("Content-Encoding").orElse(""));
        assertArrayEquals(raw.body(), br.body());
        HttpResponse<byte[]> decoded = get(path, "Accept-Encoding", "gzip, deflate");
        assertEquals(LOG_TEXT, body(decoded));
        assertTrue(decoded.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        HttpResponse<byte[]> range = get(path, "Accept-Encoding", "identity", "Range", "bytes=0-3");
        assertEquals(206, range.statusCode());
        assertEquals(4, range.body().length);
        assertEquals(416, get(path, "Accept-Encoding", "identity", "Range", "bytes=99999-").statusCode());
    }

    @Test
    void conditionalGetsAnswerNotModified() throws Exception {
        String path = "/c/" + SHAS.get(3) + ".capnp";
        HttpResponse<byte[]> first = get(path);
        assertEquals(200, first.statusCode());
        assertEquals(SHAS.get(3), CommitResultsCodec.decode(first.body()).commit());
        String lm = first.headers().firstValue("Last-Modified").orElseThrow();
        assertEquals(304, get(path, "If-Modified-Since", lm).statusCode());
        assertEquals("========= FAILED fail in 4s\n", body(get("/c/" + SHAS.get(3) + "/t.fail/status")));
        assertEquals("4", body(get("/c/" + SHAS.get(3) + "/t.fail/duration")));
    }

    @Test
    void resultTreeCannotBeEscaped() throws Exception {
        String sha = SHAS.get(3);
        assertEquals(400, get("/c/" + sha + "/%2e%2e/%2e%2e/secret").statusCode());
        assertEquals(400, get("/c/" + sha + "/t.fail%2Fstatus").statusCode());
        assertEquals(404, get("/c/" + sha + "/t.escape/full_log.br").statusCode(), "symlink out of output_dir");
        assertEquals(404, get("/c/" + sha + "/t.fail/secret").statusCode());
        assertEquals(404, get("/c/not-a-sha/t.fail/status").statusCode());
        assertEquals(404, get("/c/" + sha + "/t.fail/log.br.part").statusCode());
        String listing = body(get("/c/" + sha + "/"));
        assertTrue(listing.contains("t.fail/"), listing);
        assertTrue(body(get("/c/" + sha + "/t.fail/")).contains("log.br"));
    }

    @Test
    void branchCommitsArePagedByCursorNewestFirst() throws Exception {
        JsonNode first = json("/api/v1/branches/main/commits?limit=3");
        assertEquals("main", first.get("branch").asText());
        assertEquals(3, first.get("commits").size());
        assertEquals(SHAS.get(3), first.get("commits").get(0).get("commit").asText());
        assertTrue(first.get("commits").get(0).get("tested").asBoolean());
        assertEquals(1, first.get("commits").get(0).get("failed").asInt());
        assertFalse(first.get("commits").get(1).get("tested").asBoolean(), "untested commits are listed too");
        assertEquals(SHAS.get(1), first.get("next_cursor").asText());
        JsonNode second = json("/api/v1/branches/main/commits?limit=3&cursor=" + SHAS.get(1));
        assertEquals(1, second.get("commits").size());
        assertEquals(SHAS.get(0), second.get("commits").get(0).get("commit").asText());
        assertTrue(second.get("next_cursor").isNull());
        assertEquals(400, get("/api/v1/branches/main/commits?limit=0").statusCode());
        assertEquals(400, get("/api/v1/branches/main/commits?cursor=" + "e".repeat(40)).statusCode());
        assertEquals("{\"error\":\"Branch nope not found\"}", body(get("/api/v1/branches/nope/commits")));
    }
}
