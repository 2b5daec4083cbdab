package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole path on one machine: a git repository with 3 commits and a ktest dir with 6 subtests, the real
 * coordinator, worker agent (host runner) and HTTP server; every verdict checked through the JSON views, the
 * files in output_dir and the capnp blob read back with the generated classes.
 */
class EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Six subtests following ktest's contract: pass, fail, skip, no end marker, hang past a WATCHDOG, pass. */
    static final String SMOKE = """
            #!/usr/bin/env bash
            run_one() {
                echo "========= TEST   $1"
                case $1 in
                    p1|p2) printf 'ok\\twith a tab\\n'; echo "========= PASSED $1 in 0s" ;;
                    f1) echo "assertion failed" >&2; echo "========= FAILED $1 in 0s"; return 1 ;;
                    n1) echo "========= NOTRUN $1 in 0s: no widget support" ;;
                    m1) echo "this subtest never prints its verdict" ;;
                    h1) echo "WATCHDOG 2"; sleep 600 ;;
                esac
            }
            case $1 in
                list-tests) echo "p1 f1 n1 m1 h1 p2" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift; f=0; for t in "$@"; do run_one "$t" || f=$((f+1)); done; exit $f ;;
            esac
            """;

    static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("fs.smoke.f1", "========= FAILED f1 in 0s");
        EXPECTED.put("fs.smoke.h1", "========= FAILED TIMEOUT h1 in ");
        EXPECTED.put("fs.smoke.m1", "TEST FAILED");
        EXPECTED.put("fs.smoke.n1", "========= NOTRUN n1 in 0s: no widget support");
        EXPECTED.put("fs.smoke.p1", "========= PASSED p1 in 0s");
        EXPECTED.put("fs.smoke.p2", "========= PASSED p2 in 0s");
    }

    static final Map<String, Status> EXPECTED_STATUS = Map.of(
            "fs.smoke.f1", Status.FAILED, "fs.smoke.h1", Status.FAILED, "fs.smoke.m1", Status.FAILED,
            "fs.smoke.n1", Status.NOTRUN, "fs.smoke.p1", Status.PASSED, "fs.smoke.p2", Status.PASSED);

    @Test
    void everyCommitGetsEveryVerdictThroughApiFilesAndCapnp(@TempDir Path dir) throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(3, "bcachefs: <b>fix</b>");
        fx.testFile("fs/smoke.ktest", SMOKE);
        // Estimates of 1 s put a commit's six subtests in one batch even in its tail, whose budget is then the 60 s
        // floor: p2 runs after h1's timeout in the same lease, which the output-dir checks below rely on.
        Path configFile = fx.config("ktest-ci.toml", "fs/smoke.ktest", "subtest_timeout = 30\nsubtest_duration_def = 1",
                CiFixture.PLAINTEXT,
                "runner = \"host\"\nslots = 2\nmin_free_disk_gib = 0\n");
        CiConfig config = ConfigLoader.load(configFile, ConfigRole.COORDINATOR_WITH_WORKER);
        HttpClient http = HttpClient.newHttpClient();
        try (CoordinatorNode node = CoordinatorNode.start(config, true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            for (String sha : shas) {
                JsonNode commit = awaitAllVerdicts(http, base, sha);
                assertEquals(sha, commit.get("commit").asText());
                assertTrue(commit.get("message").asText().startsWith("bcachefs: <b>fix</b>"));
                for (JsonNode t : commit.get("tests")) {
                    String name = t.get("name").asText();
                    assertEquals(EXPECTED_STATUS.get(name).display(), t.get("status").asText(), sha + " " + name);
                }
                assertOutputDir(dir.resolve("out"), sha);
            }
            JsonNode branch = getJson(http, base + "/ci?branch=main&format=json");
            assertEquals(3, branch.size());
            assertEquals(shas.get(2), branch.get(0).get("commit").asText(), "newest commit first");
            for (JsonNode row : branch) {
                assertEquals(2, row.get("passed").asInt());
                assertEquals(3, row.get("failed").asInt());
                assertEquals(1, row.get("notrun").asInt());
                assertEquals(0, row.get("inprogress").asInt());
            }
            HttpResponse<byte[]> log = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/c/" + shas.get(0) + "/fs.smoke.p1/log.br"))
                    .header("Accept-Encoding", "identity").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, log.statusCode());
            String text = new String(Brotli.decompress(log.body()), StandardCharsets.UTF_8);
            assertTrue(text.contains("ok\twith a tab"), text);
        }
    }

    private static JsonNode awaitAllVerdicts(HttpClient http, String base, String sha) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ci?commit=" + sha
                    + "&format=json")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = JSON.readTree(r.body());
                int verdicts = 0;
                for (JsonNode t : last.get("tests")) {
                    if (!t.get("status").asText().equals(Status.INPROGRESS.display())) {
                        verdicts++;
                    }
                }
                if (verdicts == EXPECTED.size()) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        fail("no complete verdicts for " + sha + " within 120 s; last view: " + last);
        return null;
    }

    private static void assertOutputDir(Path out, String sha) throws Exception {
        CommitResults blob = CommitResultsCodec.read(out.resolve(sha + ".capnp"));
        assertEquals(sha, blob.commit());
        assertEquals(List.copyOf(EXPECTED.keySet()), blob.entries().stream().map(ResultEntry::name).toList());
        for (ResultEntry e : blob.entries()) {
            assertEquals(EXPECTED_STATUS.get(e.name()), e.status(), e.name());
            assertTrue(e.starttime() > 1_700_000_000L, "start time recorded for " + e.name());
            Path keyDir = out.resolve(sha).resolve(e.name());
            String status = Files.readString(keyDir.resolve("status"));
            assertTrue(status.startsWith(EXPECTED.get(e.name())) && status.endsWith("\n"), e.name() + ": " + status);
            assertEquals(Long.toString(e.duration()), Files.readString(keyDir.resolve("duration")));
            assertTrue(Files.exists(keyDir.resolve("log.br")), "log.br of " + e.name());
            assertTrue(Files.exists(keyDir.resolve("full_log.br")), "full_log.br of " + e.name());
            // ktest's readers and browsers decode these: the reference decoder must read them byte for byte.
            for (String log : List.of("log.br", "full_log.br")) {
                byte[] decoded = referenceBrotli(keyDir.resolve(log));
                assertArrayEquals(Brotli.decompress(Files.readAllBytes(keyDir.resolve(log))), decoded, log);
                String text = new String(decoded, StandardCharsets.UTF_8);
                assertTrue(text.contains(e.name().substring("fs.smoke.".length())),
                        e.name() + "/" + log + " names its subtest: " + text);
            }
        }
        assertTrue(Files.readString(out.resolve(sha).resolve("fs.smoke.h1/status")).matches(
                "========= FAILED TIMEOUT h1 in [0-9]+s\n"));
        // p2 ran in a fresh run after h1 timed out: its full log is that second run's.
        String p2Log = new String(Brotli.decompress(Files.readAllBytes(
                out.resolve(sha).resolve("fs.smoke.p2/full_log.br"))), StandardCharsets.UTF_8);
        assertTrue(p2Log.contains("iteration=2"), p2Log);
        assertTrue(p2Log.startsWith("# host="), p2Log);
    }

    /** {@code brotli -d} of the reference tool (CI installs it; without it the test skips, except under CI). */
    private static byte[] referenceBrotli(Path file) throws Exception {
        boolean have = Files.isExecutable(Path.of("/usr/bin/brotli"));
        if (!have && System.getenv("CI") != null) {
            fail("brotli (Debian package brotli) is required in CI");
        }
        Assumptions.assumeTrue(have, "brotli not installed");
        Process p = new ProcessBuilder("brotli", "-d", "-c", file.toString()).redirectError(
                ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "brotli -d " + file);
        return out;
    }

    private static JsonNode getJson(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return JSON.readTree(r.body());
    }
}
