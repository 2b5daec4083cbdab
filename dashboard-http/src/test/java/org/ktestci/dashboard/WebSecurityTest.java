package org.ktestci.dashboard;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.git.CommitInfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The web holes of issue 12 item 3, each reproduced against a real server on loopback. */
class WebSecurityTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef-web";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private DashboardFixture f;
    private Path token;
    private final List<AdminActions.Rerun> reruns = new CopyOnWriteArrayList<>();
    private volatile Map<String, String> unavailable = Map.of();

    private void start() throws Exception {
        token = dir.resolve("admin.token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        f = DashboardFixture.start(dir, "", Optional.of(token), q -> new WithAdmin(q));
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private HttpResponse<String> post(String path, String body, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Set<String> series() throws Exception {
        String text = Http.body(f.http.get("/metrics"));
        return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.substring(0, l.lastIndexOf(' ')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Measured before the fix: 300 such POSTs grew /metrics by 4,816 lines. */
    @Test
    void postsToMadeUpAdminRoutesAddNoMetricsSeries() throws Exception {
        start();
        post("/api/v1/admin/warmup", "", null); // the first unknown path makes the shared "other" series
        series(); // and the first scrape the /metrics one
        Set<String> before = series();
        Random random = new Random(3);
        for (int i = 0; i < 300; i++) {
            String word = Long.toString(random.nextLong() & Long.MAX_VALUE, 36).replaceAll("[0-9]", "x");
            assertEquals(404, post("/api/v1/admin/" + word, "", i % 2 == 0 ? null : TOKEN).statusCode());
        }
        assertEquals(before, series(), "no request can add a series");
        assertTrue(before.stream().anyMatch(s -> s.contains("code=\"404\",route=\"other\"")), before.toString());
        for (String s : series()) {
            if (s.startsWith("ktest_ci_http_request")) {
                String route = s.replaceAll(".*route=\"([^\"]*)\".*", "$1");
                assertTrue(RouteTemplate.ALL.contains(route), s);
            }
        }
    }

    @Test
    void everyRouteHasAFixedTemplate() {
        assertEquals("/api/v1/branches/{branch}/commits", RouteTemplate.of("/api/v1/branches/a%2Fb/commits"));
        assertEquals("other", RouteTemplate.of("/api/v1/branches/a/b/commits"));
        assertEquals("/ci/feed", RouteTemplate.of("/ci/feed"));
        assertEquals("/api/v1/branches/{branch}/events", RouteTemplate.of("/api/v1/branches/main/events"));
        assertEquals("/api/v1/admin/rerun", RouteTemplate.of("/api/v1/admin/rerun"));
        assertEquals("other", RouteTemplate.of("/api/v1/admin/rerunx"));
        assertEquals("/api/v1/admin/hosts/{host}/quarantine", RouteTemplate.of("/api/v1/admin/hosts/h1/quarantine"));
        assertEquals("other", RouteTemplate.of("/api/v1/admin/hosts/h1/x"));
        assertEquals("/static/*", RouteTemplate.of("/static/ktest-ci.css"));
        assertEquals("other", RouteTemplate.of("/static/a/b"));
        assertEquals("/c/*", RouteTemplate.of("/c/" + "a".repeat(40) + ".capnp"));
        assertEquals("other", RouteTemplate.of("/etc/passwd"));
        Random random = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[random.nextInt(30)];
            random.nextBytes(b);
            String path = "/api/v1/" + new String(b, StandardCharsets.ISO_8859_1);
            assertTrue(RouteTemplate.ALL.contains(RouteTemplate.of(path)), path);
        }
    }

    /** Measured before the fix: a pattern of [z-a] answered 500. */
    @Test
    void aBadGlobIsA400WithAClearMessage() throws Exception {
        start();
        HttpResponse<String> bad = post("/api/v1/admin/rerun", "{\"commit\": \"" + f.m(5) + "\", \"pattern\": \"[z-a]\"}",
                TOKEN);
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("{\"error\":\"invalid pattern: range z-a is reversed (at character 2)\"}", bad.body());
        HttpResponse<String> unclosed = post("/api/v1/admin/rerun", "{\"commit\": \"" + f.m(5)
                + "\", \"pattern\": \"k.[ab\"}", TOKEN);
        assertEquals(400, unclosed.statusCode(), unclosed.body());
        assertTrue(reruns.isEmpty(), "an invalid pattern never reaches the coordinator");
        HttpResponse<String> ok = post("/api/v1/admin/rerun", "{\"commit\": \"" + f.m(5)
                + "\", \"pattern\": \"*a*a*a*a*a*a*a*a*b\"}", TOKEN);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(reruns.get(0).pattern().matches("xaaaaaaaab"));
    }

    @Test
    void theTokenRulesAreCheckedAtEveryRead() throws Exception {
        start();
        assertEquals(202, post("/api/v1/admin/fetch", "", TOKEN).statusCode());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        HttpResponse<String> readable = post("/api/v1/admin/fetch", "", TOKEN);
        assertEquals(503, readable.statusCode(), "a world-readable token file is refused after start too");
        assertEquals("{\"error\":\"admin token unavailable: see the coordinator log\"}", readable.body());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        assertEquals(202, post("/api/v1/admin/fetch", "", TOKEN).statusCode());
        Files.writeString(token, "short\n");
        assertEquals(503, post("/api/v1/admin/fetch", "", "short").statusCode(), "a short token is never accepted");
        assertEquals(503, post("/api/v1/admin/fetch", "", "").statusCode());
    }

    @Test
    void aQuarantinedCommitIsShownAsUnavailable() throws Exception {
        start();
        unavailable = Map.of(f.m(5), "recovery failed: JsonParseException");
        HttpResponse<byte[]> api = f.http.get("/api/v1/commits/" + f.m(5));
        assertEquals(503, api.statusCode());
        String body = Http.body(api);
        assertTrue(body.contains("results of commit " + f.m(5) + " are unavailable: its journal entries cannot be "
                + "read back (recovery failed: JsonParseException)"), body);
        assertTrue(body.contains("\"unavailable\":true"), body);
        HttpResponse<byte[]> page = f.http.get("/ci?commit=" + f.m(5));
        assertEquals(503, page.statusCode());
        assertTrue(Http.body(page).contains("are unavailable: its journal entries cannot be read back"));
        assertEquals(200, f.http.get("/api/v1/commits/" + f.m(2)).statusCode(), "other commits are served");
        String branch = f.http.html("/ci?branch=main");
        assertTrue(branch.contains("badge-unavailable"), "the branch log marks the commit");
        unavailable = Map.of();
        assertEquals(200, f.http.get("/api/v1/commits/" + f.m(5)).statusCode());
    }

    /** The fixture's queries with admin actions that record what reaches them and a switchable quarantine. */
    private final class WithAdmin implements CiQueries {
        private final CiQueries q;

        WithAdmin(CiQueries q) {
            this.q = q;
        }

        @Override
        public Map<String, String> unavailableCommits() {
            return unavailable;
        }

        @Override
        public Optional<String> viewsVersion() {
            return q.viewsVersion().map(v -> v + unavailable);
        }

        @Override
        public AdminActions admin() {
            return new AdminActions() {
                @Override
                public Reload reload() {
                    return new Reload(true, List.of(), List.of());
                }

                @Override
                public Cleared rerun(Rerun request) {
                    reruns.add(request);
                    return new Cleared(0, 0, List.of());
                }

                @Override
                public int clearFailedToRun(Optional<List<String>> commits) {
                    return 0;
                }

                @Override
                public WorkerStatus quarantine(String host, long seconds) {
                    throw HttpError.notFound("Host " + host + " not found");
                }

                @Override
                public WorkerStatus release(String host) {
                    throw HttpError.notFound("Host " + host + " not found");
                }

                @Override
                public void revoke(String leaseId) {
                    throw HttpError.notFound("Lease " + leaseId + " is not running");
                }

                @Override
                public void fetch() {
                }

                @Override
                public void refill() {
                }

                @Override
                public List<String> gc(boolean dryRun) {
                    return List.of();
                }
            };
        }

        @Override
        public String user() {
            return q.user();
        }

        @Override
        public Path outputDir() {
            return q.outputDir();
        }

        @Override
        public int keepResultsCommits() {
            return q.keepResultsCommits();
        }

        @Override
        public List<BranchSummary> branches() {
            return q.branches();
        }

        @Override
        public Optional<List<CommitInfo>> branchLog(String branch, int max) {
            return q.branchLog(branch, max);
        }

        @Override
        public Optional<CommitInfo> commit(String sha) {
            return q.commit(sha);
        }

        @Override
        public List<String> branchesContaining(String sha) {
            return q.branchesContaining(sha);
        }

        @Override
        public Map<String, ResultDetail> resultDetails(String sha) {
            return q.resultDetails(sha);
        }
    }
}
