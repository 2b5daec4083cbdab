package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.cistatus.CiStatusMain;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The live side against a real run (coordinator, worker agent with the host runner, HTTP server): workers and
 * queue while a subtest runs, its console followed live over SSE and by {@code ci-status logs -f}, the event
 * stream, an admin revoke, a re-run, the history of a key, quarantine, a config reload, and the metrics that
 * the run moved. The slow subtest {@code s} blocks until the test creates {@code release-<n>} for its n-th run.
 */
class LiveDashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0123456789abcdef0123456789abcdef-live";
    private static final Duration WAIT = Duration.ofSeconds(90);

    static String script(Path ctl) {
        return """
                #!/usr/bin/env bash
                ctl="%s"
                run_one() {
                    echo "========= TEST   $1"
                    case $1 in
                        a) echo "========= PASSED a in 0s" ;;
                        f) echo "boom"; echo "========= FAILED f in 0s"; return 1 ;;
                        s) n=$(( $(cat "$ctl/runs" 2>/dev/null || echo 0) + 1 )); echo $n > "$ctl/runs"
                           i=0
                           while [ ! -e "$ctl/release-$n" ] && [ ! -e "$ctl/release-all" ]; do
                               i=$((i+1)); echo "tick $i of run $n"; sleep 0.2
                           done
                           echo "========= PASSED s in 0s" ;;
                    esac
                }
                case $1 in
                    list-tests) echo "a s f" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; f=0; for t in "$@"; do run_one "$t" || f=$((f+1)); done; exit $f ;;
                esac
                """.formatted(ctl);
    }

    record Event(String id, String name, JsonNode data) {}

    /** Collects one SSE stream's events in the background until the test ends. */
    static final class EventLog implements AutoCloseable {
        final List<Event> events = new CopyOnWriteArrayList<>();
        private final CompletableFuture<HttpResponse<Stream<String>>> response;

        EventLog(HttpClient http, String url) {
            response = http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            response.thenAcceptAsync(r -> {
                String name = null;
                String id = null;
                try {
                    for (var it = r.body().iterator(); it.hasNext(); ) {
                        String line = it.next();
                        if (line.isEmpty()) {
                            id = null;
                        } else if (line.startsWith("id: ")) {
                            id = line.substring(4);
                        } else if (line.startsWith("event: ")) {
                            name = line.substring(7);
                        } else if (line.startsWith("data: ") && name != null) {
                            events.add(new Event(id, name, JSON.readTree(line.substring(6))));
                        }
                    }
                } catch (Exception e) {
                    // the stream closes when the test stops the node
                }
            });
        }

        HttpResponse<Stream<String>> response() throws Exception {
            return response.get(30, TimeUnit.SECONDS);
        }

        boolean has(String name, Predicate<JsonNode> p) {
            return events.stream().anyMatch(e -> e.name().equals(name) && p.test(e.data()));
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
        }
    }

    static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        return await(() -> what, probe);
    }

    static <T> T await(Supplier<String> what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(100);
        }
        return fail("timed out waiting for " + what.get());
    }

    record Answer(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    static Answer get(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (Exception e) {
            throw new AssertionError(url, e);
        }
    }

    static Answer post(HttpClient http, String url, String body, String token) {
        return post(http, url, body, token, "application/json");
    }

    static Answer post(HttpClient http, String url, String body, String token, String contentType) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (Exception e) {
            throw new AssertionError(url, e);
        }
    }

    record Cli(int code, String out, String err) {}

    /** A ci-status run in this JVM whose output can be read while it runs. */
    static final class CliRun {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Cli> done;

        CliRun(String... args) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            done = CompletableFuture.supplyAsync(() -> {
                int code = CiStatusMain.run(args, o, e, Map.of("TERM", "dumb"));
                return new Cli(code, text(out), text(err));
            });
        }

        static String text(ByteArrayOutputStream b) {
            synchronized (b) {
                return b.toString(StandardCharsets.UTF_8);
            }
        }
    }

    static Cli ciStatus(String... args) throws Exception {
        return new CliRun(args).done.get(60, TimeUnit.SECONDS);
    }

    /** The busy slot's lease, once a slot runs {@code subtest} of {@code sha}. */
    static Optional<JsonNode> runningLease(HttpClient http, String base, String sha, String subtest) {
        Answer w = get(http, base + "/api/v1/workers");
        if (w.status() != 200) {
            return Optional.empty();
        }
        for (JsonNode h : w.json().get("hosts")) {
            for (JsonNode s : h.get("slot_list")) {
                JsonNode l = s.get("lease");
                if (l != null && !l.isNull() && l.get("commit").asText().equals(sha)
                        && subtest.equals(l.path("current_subtest").asText())) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.empty();
    }

    static Optional<String> statusOf(HttpClient http, String base, String sha, String key) {
        Answer c = get(http, base + "/api/v1/commits/" + sha);
        if (c.status() != 200) {
            return Optional.empty();
        }
        for (JsonNode t : c.json().get("tests")) {
            if (t.get("name").asText().equals(key)) {
                return Optional.of(t.get("status").asText());
            }
        }
        return Optional.empty();
    }

    @Test
    void aRunSeenLiveFromTheApiTheEventStreamAndTheCli(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        List<String> shas = fx.repos(2, "bcachefs: live");
        String older = shas.get(0);
        String newer = shas.get(1);
        fx.testFile("fs/live.ktest", script(ctl));
        Path token = fx.adminToken(TOKEN);
        Path configFile = fx.config("ktest-ci.toml", "fs/live.ktest", "subtest_timeout = 60", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER, "admin_token_file = \"admin.token\"");
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(configFile,
                ConfigRole.COORDINATOR_WITH_WORKER), true);
             EventLog events = new EventLog(http, "http://127.0.0.1:" + node.httpPort() + "/api/v1/events")) {
            String base = "http://127.0.0.1:" + node.httpPort();
            HttpResponse<Stream<String>> sse = events.response();
            assertEquals(200, sse.statusCode());
            assertEquals("text/event-stream", sse.headers().firstValue("Content-Type").orElse(""));
            assertEquals("no-cache", sse.headers().firstValue("Cache-Control").orElse(""));
            assertEquals(400, get(http, base + "/api/v1/events?types=verdict,bogus").status());

            // 1. The newest commit runs first; its slow subtest holds the only slot.
            JsonNode lease = await("s running on " + newer, () -> runningLease(http, base, newer, "s"));
            assertEquals("fs/live.ktest", lease.get("test").asText());
            assertEquals(List.of("a", "s", "f"), JSON.convertValue(lease.get("subtests"), List.class));
            assertEquals(List.of("fs.live.a", "fs.live.s", "fs.live.f"),
                    JSON.convertValue(lease.get("subtest_keys"), List.class));
            assertEquals("main", lease.get("branch").asText());
            assertEquals(1, lease.get("attempt").asInt());
            JsonNode host = get(http, base + "/api/v1/workers").json().get("hosts").get(0);
            assertEquals("up", host.get("state").asText());
            assertEquals("host", host.get("runner").asText());
            // The agent-start KVM probe's decision, with its reason.
            assertTrue(host.get("kvm").isBoolean(), host.toString());
            assertFalse(host.get("kvm_reason").asText().isEmpty(), host.toString());
            if (!Files.exists(Path.of("/dev/kvm"))) {
                assertFalse(host.get("kvm").asBoolean());
                assertEquals("/dev/kvm does not exist", host.get("kvm_reason").asText());
            }
            assertEquals("busy", host.get("slot_list").get(0).get("state").asText());
            JsonNode queue = get(http, base + "/api/v1/queue").json();
            assertEquals(2000, queue.get("window").asInt());
            assertEquals(3, queue.get("pending").asInt(), "the older commit's three jobs wait");
            assertEquals(3, queue.get("leased").asInt());
            assertEquals(3, queue.get("pending_by_branch").get("main").asInt());
            assertEquals(List.of(), JSON.convertValue(queue.get("config_errors"), List.class));
            await("a's verdict", () -> statusOf(http, base, newer, "fs.live.a").filter(st -> st.equals("passed")));
            JsonNode branches = get(http, base + "/api/v1/branches").json().get("branches").get(0);
            assertEquals(3, branches.get("pending_jobs").asInt());
            assertEquals(3, branches.get("leased_jobs").asInt());

            // 2. Its console, live: over SSE, and in ci-status workers.
            String leaseId = lease.get("lease_id").asText();
            try (EventLog log = new EventLog(http, base + "/api/v1/leases/" + leaseId + "/log")) {
                await("live console lines", () -> log.events.stream().filter(e -> e.name().equals("log"))
                        .flatMap(e -> JSON.convertValue(e.data().get("lines"), List.class).stream())
                        .filter(l -> l.toString().contains("tick")).findFirst());
            }
            assertEquals(404, get(http, base + "/api/v1/leases/no-such-lease/log").status());
            Cli workers = ciStatus("--remote", base, "workers");
            assertEquals(0, workers.code(), workers.err());
            assertTrue(workers.out().matches("(?s)HOST +ARCH +SLOTS +BUSY +STATE\n\\S+ +x86_64 +1 +1  up\n\nSLOT.*"
                    + newer.substring(0, 12) + " fs/live.ktest s \\(2/3\\)\n"), workers.out());
            assertTrue(events.has("started", d -> d.get("name").asText().equals("fs.live.s")
                    && d.get("commit").asText().equals(newer) && d.get("lease_id").asText().equals(leaseId)));
            assertTrue(events.has("lease", d -> d.get("event").asText().equals("granted")
                    && d.get("lease_id").asText().equals(leaseId)));
            await("a's verdict event", () -> events.has("verdict", d -> d.get("name").asText().equals("fs.live.a")
                    && d.get("status").asText().equals("passed") && d.get("branches").toString().equals("[\"main\"]"))
                    ? Optional.of(true) : Optional.empty());

            // 3. Admin: no token, a wrong one, then a revoke: the lease ends, s and f are leased again.
            Answer noToken = post(http, base + "/api/v1/admin/leases/" + leaseId + "/revoke", "", null);
            assertEquals(401, noToken.status());
            assertEquals("Bearer realm=\"ktest-ci\"", noToken.response().headers().firstValue("WWW-Authenticate")
                    .orElse(""));
            assertEquals(401, post(http, base + "/api/v1/admin/refill", "", "wrong").status());
            assertEquals(415, post(http, base + "/api/v1/admin/rerun", "x", TOKEN, "text/plain").status());
            assertEquals(400, post(http, base + "/api/v1/admin/rerun", "{\"commit\": 5}", TOKEN).status());
            Answer revoked = post(http, base + "/api/v1/admin/leases/" + leaseId + "/revoke", "", TOKEN);
            assertEquals(200, revoked.status(), revoked.body());
            assertEquals("{\"revoked\":true}", revoked.body());
            await("the revoked event", () -> events.has("lease", d -> d.get("lease_id").asText().equals(leaseId)
                    && d.get("event").asText().equals("revoked")) ? Optional.of(true) : Optional.empty());
            JsonNode again = await("s leased again", () -> runningLease(http, base, newer, "s")
                    .filter(l -> !l.get("lease_id").asText().equals(leaseId)));
            assertEquals(List.of("s", "f"), JSON.convertValue(again.get("subtests"), List.class),
                    "the verdict of a stands; only the unfinished subtests run again");
            assertEquals(1, again.get("attempt").asInt(), "a revoke is not counted as a failure");

            // 4. ci-status logs -f follows it until the batch ends.
            CliRun follow = new CliRun("--remote", base, "logs", newer.substring(0, 12), "fs.live.s", "-f");
            await(() -> "the follower printing live ticks; out:\n" + CliRun.text(follow.out) + "\nerr:\n"
                    + CliRun.text(follow.err), () -> CliRun.text(follow.out).contains("of run 2")
                    ? Optional.of(true) : Optional.empty());
            assertTrue(CliRun.text(follow.err).contains("following lease " + again.get("lease_id").asText()));
            Files.writeString(ctl.resolve("release-2"), "");
            Cli followed = follow.done.get(60, TimeUnit.SECONDS);
            assertEquals(0, followed.code(), followed.err());
            assertTrue(followed.err().contains("fs.live.s: Passed"), followed.err());

            // 5. The older commit runs through; history of f over the branch.
            Files.writeString(ctl.resolve("release-all"), "");
            await("f of the older commit", () -> statusOf(http, base, older, "fs.live.f")
                    .filter(st -> st.equals("failed")));
            JsonNode history = get(http, base + "/api/v1/tests/fs.live.f/history?branch=main").json();
            assertEquals(2, history.get("entries").size());
            assertEquals(newer, history.get("entries").get(0).get("commit").asText());
            assertEquals("failed", history.get("entries").get(0).get("status").asText());
            assertEquals(older, history.get("first_failing").get("commit").asText());
            assertEquals(1, history.get("first_failing").get("index").asInt());
            assertTrue(history.get("last_passing").isNull());
            assertEquals(2, history.get("stats").get("failed").asInt());
            assertEquals(400, get(http, base + "/api/v1/tests/fs.live.f/history").status(), "branch is required");
            assertEquals(404, get(http, base + "/api/v1/tests/fs.live.nope/history?branch=main").status());

            // 6. Re-run f of the newer commit from the CLI: cleared, wanted again, run again.
            Cli dry = ciStatus("--remote", base, "rerun", newer, "--pattern", "*.f", "--dry-run", "--token-file",
                    token.toString());
            assertEquals(0, dry.code(), dry.err());
            assertEquals("would clear 1 result in 1 commit\n  fs.live.f\n", dry.out());
            long verdictsOfF = events.events.stream().filter(e -> e.name().equals("verdict")
                    && e.data().get("name").asText().equals("fs.live.f")
                    && e.data().get("commit").asText().equals(newer)).count();
            Cli rerun = ciStatus("--remote", base, "rerun", newer, "--pattern", "*.f", "--token-file",
                    token.toString());
            assertEquals(0, rerun.code(), rerun.err());
            assertTrue(rerun.out().startsWith("cleared 1 result in 1 commit"), rerun.out());
            await("f's second verdict", () -> events.events.stream().filter(e -> e.name().equals("verdict")
                    && e.data().get("name").asText().equals("fs.live.f")
                    && e.data().get("commit").asText().equals(newer)).count() > verdictsOfF
                    ? Optional.of(true) : Optional.empty());
            assertEquals("failed", statusOf(http, base, newer, "fs.live.f").orElseThrow());

            // 7. Quarantine and release a host; an unknown one is 404.
            String hostName = host.get("host").asText();
            Answer q = post(http, base + "/api/v1/admin/hosts/" + hostName + "/quarantine", "{\"seconds\": 3600}",
                    TOKEN);
            assertEquals(200, q.status(), q.body());
            assertEquals("quarantined", q.json().get("state").asText());
            assertFalse(q.json().get("quarantined_until").isNull());
            assertTrue(events.has("host", d -> d.get("state").asText().equals("quarantined"))
                    || await("host event", () -> events.has("host", d -> d.get("state").asText()
                    .equals("quarantined")) ? Optional.of(true) : Optional.empty()));
            HttpResponse<String> released = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/api/v1/admin/hosts/" + hostName + "/quarantine")).header("Authorization", "Bearer " + TOKEN)
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, released.statusCode(), released.body());
            assertEquals("up", JSON.readTree(released.body()).get("state").asText());
            assertEquals(404, post(http, base + "/api/v1/admin/hosts/nope/quarantine", "{\"seconds\": 5}", TOKEN)
                    .status());

            // 8. A config reload: an invalid edit is refused and shown; a valid one adds a test at once.
            String good = Files.readString(configFile);
            Files.writeString(configFile, good.replace("subtest_timeout = 60", "subtest_timeout = 1"));
            Answer bad = post(http, base + "/api/v1/admin/reload", "", TOKEN);
            assertEquals(400, bad.status(), bad.body());
            assertEquals("config invalid", bad.json().get("error").asText());
            assertTrue(bad.json().get("errors").get(0).asText().contains("subtest_timeout"), bad.body());
            assertTrue(get(http, base + "/api/v1/queue").json().get("config_errors").get(0).asText()
                    .contains("subtest_timeout"));
            fx.testFile("fs/more.ktest", script(ctl).replace("echo \"a s f\"", "echo \"m\"")
                    .replace("a) echo \"========= PASSED a in 0s\" ;;", "m) echo \"========= PASSED m in 0s\" ;;"));
            Files.writeString(configFile, good.replace("tests = [\"fs/live.ktest\"]",
                    "tests = [\"fs/live.ktest\", \"fs/more.ktest\"]"));
            Answer ok = post(http, base + "/api/v1/admin/reload", "", TOKEN);
            assertEquals(200, ok.status(), ok.body());
            assertEquals("{\"applied\":true,\"restart_required\":[]}", ok.body());
            assertEquals("passed", await("the new test's verdict",
                    () -> statusOf(http, base, newer, "fs.more.m")));
            assertEquals(List.of(), JSON.convertValue(get(http, base + "/api/v1/queue").json()
                    .get("config_errors"), List.class));

            // 9. Readiness and the metrics the run moved.
            assertEquals("ready", get(http, base + "/readyz").body());
            String metrics = get(http, base + "/metrics").body();
            for (String m : List.of("ktest_ci_verdict_visible_seconds_count ", "ktest_ci_commit_first_lease_seconds_count ",
                    "ktest_ci_fetches_total{branch=\"main\",result=\"ok\"} ",
                    "ktest_ci_leases_ended_total{reason=\"admin_revoke\"} ")) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith(m) && !l.endsWith(" 0.0")), m + "\n" + metrics);
            }
            assertTrue(metrics.contains("ktest_ci_untested_commits{branch=\"main\"} 0.0"), metrics);
        }
    }
}
