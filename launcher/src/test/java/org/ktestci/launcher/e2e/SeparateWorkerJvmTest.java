package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.cluster.typed.Cluster;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Worker agents in their own JVMs join the coordinator over Artery on loopback and talk to it only through
 * the cluster protocol; a worker killed with SIGKILL in the middle of a batch loses its lease and the other
 * worker re-runs exactly the subtests that had no verdict.
 */
class SeparateWorkerJvmTest {
    /** Subtest "slow" hangs on worker w1 (so it can be killed mid-batch) and passes at once elsewhere. */
    static final String TEST = """
            #!/usr/bin/env bash
            case $1 in
                list-tests) echo "first slow last" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift
                    for t in "$@"; do
                        echo "========= TEST   $t"
                        if [ "$t" = slow ] && [[ "$ktest_deps_dir" == */w1/* ]]; then
                            echo $$ > "$MARKER_DIR/w1-running"; sleep 600
                        fi
                        echo "========= PASSED $t in 0s"
                    done ;;
            esac
            """;

    @TempDir
    Path dir;

    final List<Process> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws Exception {
        for (String h : List.of("w1", "w2")) {
            Path log = dir.resolve(h + ".log");
            if (Files.exists(log)) {
                System.out.println("---- " + h + " log ----\n" + Files.readString(log));
            }
        }
        workers.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        // A SIGKILLed worker leaves its test script behind (as on a real host until the next cleanup).
        Path marker = dir.resolve("markers/w1-running");
        if (Files.exists(marker) && !Files.readString(marker).isBlank()) {
            ProcessHandle.of(Long.parseLong(Files.readString(marker).trim())).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
        }
    }

    private String upstreamHead() throws Exception {
        try (Git upstream = Git.open(dir.resolve("upstream").toFile())) {
            return upstream.getRepository().resolve("HEAD").getName();
        }
    }

    /** Waits (90 s at most) until w1's test script, in the slow subtest, wrote its pid to the marker. */
    private Path awaitW1Running() throws Exception {
        Path marker = dir.resolve("markers/w1-running");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while ((!Files.exists(marker) || Files.readString(marker).isBlank()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return marker;
    }

    private Path coordinatorConfig() throws Exception {
        return coordinatorConfig("insecure_plaintext = true\n");
    }

    private Path coordinatorConfig(String clusterSecurity) throws Exception {
        CiFixture fx = new CiFixture(dir);
        fx.repos(1, "bcachefs: one commit");
        fx.testFile("t.ktest", TEST);
        Files.createDirectories(dir.resolve("markers"));
        // The default heartbeat_interval (3 s) and lease_timeout (12 s): the kill test measures them.
        return fx.config("coordinator.toml", "t.ktest", "", clusterSecurity, "");
    }

    private Process startWorker(String host, int coordinatorPort) throws Exception {
        return startWorker(host, coordinatorPort, "insecure_plaintext = true\n");
    }

    private Process startWorker(String host, int coordinatorPort, String clusterSecurity) throws Exception {
        Path cfg = dir.resolve(host + ".toml");
        Files.writeString(cfg, """
                ktest_dir = "ktest"
                state_dir = "%s"
                [cluster]
                %sseed_nodes = ["pekko://ktest-ci@127.0.0.1:%d"]
                bind_host = "127.0.0.1"
                advertise_host = "127.0.0.1"
                port = 0
                [worker]
                host = "%s"
                runner = "host"
                slots = 1
                min_free_disk_gib = 0
                """.formatted("state-" + host + "/" + host, clusterSecurity, coordinatorPort, host));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.ktestci.launcher.WorkerMain", "--config",
                cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(host + ".log").toFile());
        pb.environment().put("MARKER_DIR", dir.resolve("markers").toString());
        Process p = pb.start();
        workers.add(p);
        return p;
    }

    private static JsonNode awaitCommit(HttpClient http, String url, int verdicts, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = new ObjectMapper().readTree(r.body());
                int done = 0;
                for (JsonNode t : last.get("tests")) {
                    done += t.get("status").asText().equals("inprogress") ? 0 : 1;
                }
                if (done == verdicts) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        fail("no " + verdicts + " verdicts at " + url + " within " + timeout + "; last: " + last);
        return null;
    }

    @Test
    void aStoppedWorkerKillsItsRunSaysGoodbyeAndItsJobsRunElsewhere() throws Exception {
        Path cfg = coordinatorConfig();
        String sha = upstreamHead();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR), false)) {
            int port = Cluster.get(node.system()).selfMember().address().getPort().get();
            Process w1 = startWorker("w1", port);
            Path marker = awaitW1Running();
            long testPid = Long.parseLong(Files.readString(marker).trim());
            w1.destroy(); // SIGTERM: coordinated shutdown
            assertTrue(w1.waitFor(60, TimeUnit.SECONDS), "w1 exits after its goodbye");
            assertTrue(ProcessHandle.of(testPid).map(p -> !p.isAlive()).orElse(true),
                    "the test process of the interrupted run was killed, not orphaned");
            assertTrue(Files.readString(dir.resolve("w1.log")).contains("goodbye sent: host=w1"));
            startWorker("w2", port);
            HttpClient http = HttpClient.newHttpClient();
            JsonNode c = awaitCommit(http, "http://127.0.0.1:" + node.httpPort() + "/api/v1/commits/" + sha, 3,
                    Duration.ofSeconds(60));
            for (JsonNode t : c.get("tests")) {
                assertEquals("passed", t.get("status").asText());
                assertEquals(1, t.get("attempt").asInt(), "a graceful stop is not a failure of the job");
            }
        }
    }

    @Test
    void overTlsOnlyNodesWithACertificateFromTheClusterCaJoin() throws Exception {
        TestCertificates certs = new TestCertificates(Files.createDirectories(dir.resolve("tls")));
        certs.ca("cluster");
        certs.ca("rogue");
        certs.node("coordinator", "cluster");
        certs.node("w2", "cluster");
        certs.node("w1", "rogue");
        Path cfg = coordinatorConfig(certs.clusterTls("coordinator", "cluster"));
        String sha = upstreamHead();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR), false)) {
            int port = Cluster.get(node.system()).selfMember().address().getPort().get();
            startWorker("w1", port, certs.clusterTls("w1", "rogue")); // trusts itself only: refused
            startWorker("w2", port, certs.clusterTls("w2", "cluster"));
            HttpClient http = HttpClient.newHttpClient();
            JsonNode c = awaitCommit(http, "http://127.0.0.1:" + node.httpPort() + "/api/v1/commits/" + sha, 3,
                    Duration.ofSeconds(120));
            for (JsonNode t : c.get("tests")) {
                assertEquals("w2", t.get("host").asText(), "only the trusted worker ran anything");
            }
            assertEquals(2, countMembers(node), "coordinator and w2 only: the untrusted worker never became a member");
            assertTrue(!Files.readString(dir.resolve("w1.log")).contains("hello accepted"),
                    Files.readString(dir.resolve("w1.log")));
        }
    }

    private static int countMembers(CoordinatorNode node) {
        int n = 0;
        for (var ignored : Cluster.get(node.system()).state().getMembers()) {
            n++;
        }
        return n;
    }

    @Test
    void aKilledWorkersUnfinishedSubtestsRunOnceOnTheOtherWorker() throws Exception {
        Path cfg = coordinatorConfig();
        String sha = upstreamHead();
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR), false)) {
            int port = Cluster.get(node.system()).selfMember().address().getPort().get();
            Process w1 = startWorker("w1", port);
            Path marker = awaitW1Running();
            assertTrue(Files.exists(marker), "w1 reached the slow subtest; its log:\n"
                    + Files.readString(dir.resolve("w1.log")));
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + node.httpPort() + "/api/v1/commits/" + sha;
            awaitCommit(http, api, 1, Duration.ofSeconds(30)); // t.first's verdict is recorded before the kill
            LiveDashboardTest.EventLog leases = new LiveDashboardTest.EventLog(http,
                    "http://127.0.0.1:" + node.httpPort() + "/api/v1/events?types=lease");
            assertEquals(200, leases.response().statusCode());
            startWorker("w2", port); // idle, its claim parked: it takes over what w1 leaves
            long joined = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("w2.log")).contains("hello accepted") && System.nanoTime() < joined) {
                Thread.sleep(100);
            }
            long killedAt = System.currentTimeMillis();
            w1.destroyForcibly(); // SIGKILL: no goodbye, no cleanup
            // "Detection": the kill until the dead worker's lease ends and its jobs are pending again.
            long detected = -1;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (detected < 0 && System.nanoTime() < until) {
                if (leases.has("lease", d -> d.get("host").asText().equals("w1")
                        && !d.get("event").asText().equals("granted"))) {
                    detected = System.currentTimeMillis() - killedAt;
                }
                Thread.sleep(20);
            }
            assertTrue(leases.has("lease", d -> d.get("host").asText().equals("w1")
                    && d.get("event").asText().equals("expired") && d.get("reason").asText().equals("lease_timeout")),
                    "w1's lease ended by lease_timeout: " + leases.events);
            w1.waitFor(10, TimeUnit.SECONDS);
            JsonNode c = awaitCommit(http, api, 3, Duration.ofSeconds(120));
            long lastVerdict = System.currentTimeMillis() - killedAt;
            leases.close();
            long released = 0;
            for (JsonNode t : c.get("tests")) {
                String name = t.get("name").asText();
                assertEquals("passed", t.get("status").asText(), name);
                String expectedHost = name.equals("t.first") ? "w1" : "w2";
                assertEquals(expectedHost, t.get("host").asText(),
                        name + ": verdicts recorded before the kill stay; the rest come from the other worker");
                assertEquals(name.equals("t.first") ? 1 : 2, t.get("attempt").asInt(), name);
                if (name.equals("t.slow")) {
                    released = Instant.parse(t.get("starttime").asText()).toEpochMilli() - killedAt;
                }
            }
            // lease_timeout is 12 s by default, counted from the last renewal before the kill; the executor checks
            // once a second. The goal (issue 15): at most 15 s.
            assertTrue(detected <= 15_000, "the lease ended within lease_timeout: " + detected + " ms");
            System.out.println("measured: worker SIGKILLed mid-batch, default settings: its lease ended " + detected
                    + " ms after the kill, its subtest started on the other worker after " + released
                    + " ms (starttime has whole seconds), last verdict after " + lastVerdict + " ms");
            CommitResults blob = CommitResultsCodec.read(dir.resolve("out").resolve(sha + ".capnp"));
            assertEquals(List.of("t.first", "t.last", "t.slow"), blob.entries().stream().map(ResultEntry::name).toList());
        }
    }

}
