package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crashes and partitions with real JVMs on loopback (issue "Real distribution"): a coordinator killed with
 * SIGKILL and restarted, a worker stalled for 5 s, a worker suspended past its lease, and the coordinator
 * singleton failing over between two nodes sharing PostgreSQL. Every run of a subtest is logged by the test
 * script, so a re-run shows. Except where a test says otherwise, every node runs at the default heartbeat and
 * lease settings, and the tests print what they measured ("measured: ...", the figures of BENCHMARKS.md).
 */
class FaultToleranceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Six subtests of one second each; on host w1 subtest s3 fails after 8 s (the late verdict to refuse). */
    static final String TEST = """
            #!/usr/bin/env bash
            host=$(basename "$(dirname "$(dirname "$ktest_deps_dir")")")
            case $1 in
                list-tests) echo "s1 s2 s3 s4 s5 s6" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift
                    for t in "$@"; do
                        echo "========= TEST   $t"
                        echo "$t $host" >> "$RUNS_LOG"
                        if [ "$t" = s3 ] && [ "$host" = w1 ] && [ -n "$SLOW_ON_W1" ]; then
                            touch "$RUNS_LOG.w1-s3"; sleep 8; echo "========= FAILED $t in 8s"
                            touch "$RUNS_LOG.w1-s3-done"; continue
                        fi
                        sleep "${STEP:-1}"
                        echo "========= PASSED $t in 1s"
                    done ;;
            esac
            """;

    @TempDir
    Path dir;

    final List<NodeProcess> nodes = new ArrayList<>();
    String sha;

    @AfterEach
    void stop() throws Exception {
        for (NodeProcess n : nodes) {
            n.close();
        }
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                System.out.println("---- " + log.getFileName() + " ----\n" + Files.readString(log));
            }
        }
    }

    private Path runsLog() {
        return dir.resolve("runs.txt");
    }

    /** Seconds each subtest takes. */
    private String step = "1";

    private Map<String, String> env() {
        return Map.of("RUNS_LOG", runsLog().toString(), "SLOW_ON_W1", "1", "STEP", step);
    }

    private Path fixture(String top) throws Exception {
        CiFixture fx = new CiFixture(dir);
        sha = fx.repos(1, "bcachefs: under fire").get(0);
        fx.testFile("t.ktest", TEST);
        // Budget 2 s of estimated work per batch: three batches of two subtests.
        return fx.config("unused.toml", "t.ktest", top, CiFixture.PLAINTEXT, "");
    }

    /** A coordinator config with fixed ports (a restarted coordinator comes back at the same address). */
    private Path coordinatorConfig(String name, int clusterPort, int httpPort, List<Integer> seeds, String persistence)
            throws Exception {
        Path cfg = dir.resolve(name + ".toml");
        Files.writeString(cfg, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                state_dir = "state-%s"
                ci_host = "127.0.0.1"
                fetch_interval = 5
                subtest_duration_def = 1
                subtest_duration_max = 2
                %s
                [test_group.g]
                tests = ["t.ktest"]
                [branch.main]
                fetch = "upstream main"
                test_groups = ["g"]
                [cluster]
                insecure_plaintext = true
                seed_nodes = [%s]
                bind_host = "127.0.0.1"
                advertise_host = "127.0.0.1"
                port = %d
                [http]
                bind = "127.0.0.1:%d"
                %s""".formatted(name, leaseSettings, seedNodes(seeds), clusterPort, httpPort, persistence));
        return cfg;
    }

    /** The {@code seed_nodes} list of nodes on loopback at these cluster ports. */
    private static String seedNodes(List<Integer> seeds) {
        StringBuilder s = new StringBuilder();
        for (int p : seeds) {
            s.append(s.isEmpty() ? "" : ", ").append("\"pekko://ktest-ci@127.0.0.1:").append(p).append('"');
        }
        return s.toString();
    }

    /** Top-level lease settings of every node's file: the defaults unless a test sets them. */
    private String leaseSettings = "";

    private NodeProcess worker(String host, List<Integer> seeds) throws Exception {
        Path cfg = dir.resolve(host + ".toml");
        Files.writeString(cfg, """
                ktest_dir = "ktest"
                state_dir = "state-%s/%s"
                %s
                [cluster]
                insecure_plaintext = true
                seed_nodes = [%s]
                bind_host = "127.0.0.1"
                advertise_host = "127.0.0.1"
                port = 0
                [worker]
                host = "%s"
                runner = "host"
                slots = 1
                min_free_disk_gib = 0
                """.formatted(host, host, leaseSettings, seedNodes(seeds), host));
        NodeProcess p = new NodeProcess(NodeProcess.WORKER, dir.resolve(host + ".log"), env(), "--config",
                cfg.toString()).start();
        nodes.add(p);
        return p;
    }

    private NodeProcess coordinator(String name, Path cfg) throws Exception {
        NodeProcess p = new NodeProcess(NodeProcess.COORDINATOR, dir.resolve(name + ".log"), env(), "--config",
                cfg.toString()).start();
        nodes.add(p);
        return p;
    }

    private CommitResults blob() throws Exception {
        Path b = dir.resolve("out").resolve(sha + ".capnp");
        return Files.exists(b) ? CommitResultsCodec.read(b) : new CommitResults(sha, "", List.of());
    }

    private static Map<String, ResultEntry> verdicts(CommitResults r) {
        Map<String, ResultEntry> m = new HashMap<>();
        r.entries().stream().filter(e -> e.status().isVerdict()).forEach(e -> m.put(e.name(), e));
        return m;
    }

    /** Polls the projection until {@code done} holds, restarting workers that exited (systemd would). */
    private CommitResults awaitBlob(Predicate<CommitResults> done, Duration timeout, List<NodeProcess> restartable)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        CommitResults last = null;
        while (System.nanoTime() < deadline) {
            last = blob();
            if (done.test(last)) {
                return last;
            }
            for (NodeProcess n : restartable) {
                n.restartIfExited();
            }
            Thread.sleep(250);
        }
        fail("condition not reached within " + timeout + "; last blob: " + last);
        return null;
    }

    private List<String> runs() throws Exception {
        return Files.exists(runsLog()) ? Files.readAllLines(runsLog()) : List.of();
    }

    private long runsOf(String subtest) throws Exception {
        return runs().stream().filter(l -> l.startsWith(subtest + " ")).count();
    }

    @Test
    void aCoordinatorKilledMidRunKeepsEveryVerdictAndRunsEveryQueuedJobAfterItsRestart() throws Exception {
        fixture("");
        int cluster = NodeProcess.freePort();
        int http = NodeProcess.freePort();
        Path cfg = coordinatorConfig("c1", cluster, http, List.of(cluster), "");
        NodeProcess c1 = coordinator("c1", cfg);
        // Two workers, restarted when they exit as systemd would (they should not need it).
        NodeProcess w2 = worker("w2", List.of(cluster));
        NodeProcess w3 = worker("w3", List.of(cluster));
        CommitResults before = awaitBlob(r -> verdicts(r).size() >= 2, Duration.ofSeconds(120), List.of());
        long killedAt = System.currentTimeMillis();
        c1.kill();
        Map<String, ResultEntry> recorded = verdicts(before);
        c1.start();
        // Each worker sees the coordinator answer with a new incarnation and rejoins its new cluster in-process.
        Timeline t = new Timeline(killedAt);
        CommitResults after = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            t.mark("coordinator ready", () -> sinceLastStart(c1.log()).contains("dashboard listening"));
            t.mark("w2 accepted again", () -> count(w2.log(), "hello accepted") >= 2);
            t.mark("w3 accepted again", () -> count(w3.log(), "hello accepted") >= 2);
            CommitResults r = blob();
            if (verdicts(r).size() == 6) {
                after = r;
                t.mark("last verdict", () -> true);
                break;
            }
            w2.restartIfExited();
            w3.restartIfExited();
            Thread.sleep(100);
        }
        assertTrue(after != null, "all six verdicts within 180 s; last blob: " + blob());
        for (Map.Entry<String, ResultEntry> e : recorded.entrySet()) {
            assertEquals(e.getValue(), verdicts(after).get(e.getKey()), "verdict recorded before the kill stays");
            String subtest = e.getKey().substring("t.".length());
            assertEquals(1, runsOf(subtest), subtest + " had a verdict before the kill and never ran again");
        }
        assertTrue(after.entries().stream().allMatch(e -> e.status() == Status.PASSED), after.toString());
        assertTrue(c1.log().contains("results recovered from the journal: 1 commits"), "recovered from H2");
        for (NodeProcess w : List.of(w2, w3)) {
            assertEquals(1, w.starts(), "the worker rejoined in its own process, no restart by a service manager");
            assertTrue(w.log().contains("answers as a new incarnation"), w.log());
        }
        System.out.println("measured: coordinator SIGKILLed and restarted at once, default settings: " + t
                + "; workers working again " + (t.at("w2 accepted again", "w3 accepted again") - t.at(
                "coordinator ready")) + " ms after the new coordinator was ready");
    }

    @Test
    void aWorkerStalledForFiveSecondsKeepsItsLease() throws Exception {
        Path cfg = fixture("");
        step = "2"; // one batch of six subtests, 12 s: the stall comes in its middle
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR), false)) {
            int port = Cluster.get(node.system()).selfMember().address().getPort().get();
            NodeProcess w2 = worker("w2", List.of(port));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (runs().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(!runs().isEmpty(), "w2 runs its first batch");
            // A network stall as the coordinator sees it: no heartbeat, no result, no cluster heartbeat for 5 s.
            w2.signal("STOP");
            Thread.sleep(5000);
            w2.signal("CONT");
            CommitResults done = awaitBlob(r -> verdicts(r).size() == 6, Duration.ofSeconds(120), List.of());
            for (ResultEntry e : verdicts(done).values()) {
                assertEquals(1, runsOf(e.name().substring("t.".length())), e.name() + " ran once");
            }
            String api = "http://127.0.0.1:" + node.httpPort();
            JsonNode commit = getJson(HttpClient.newHttpClient(), api + "/api/v1/commits/" + sha);
            for (JsonNode t : commit.get("tests")) {
                assertEquals("passed", t.get("status").asText(), t.toString());
                assertEquals(1, t.get("attempt").asInt(), t.get("name").asText() + ": its first lease did not end");
            }
            assertEquals(0.0, metricSum(HttpClient.newHttpClient(), api, "ktest_ci_lease_expiries_total{"),
                    "no lease ended by the coordinator");
            System.out.println("measured: worker SIGSTOPped for 5 s mid-batch, default settings: 0 leases ended, "
                    + "6/6 subtests ran once, attempt 1");
        }
    }

    /** The log since the node's last start. */
    private static String sinceLastStart(String log) {
        return log.substring(Math.max(0, log.lastIndexOf("==== start ")));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** When each named thing was first seen, in ms after the start. */
    static final class Timeline {
        private final long start;
        private final Map<String, Long> seen = new LinkedHashMap<>();

        Timeline(long start) {
            this.start = start;
        }

        void mark(String what, Callable<Boolean> seenNow) throws Exception {
            if (!seen.containsKey(what) && seenNow.call()) {
                seen.put(what, System.currentTimeMillis() - start);
            }
        }

        /** The latest of {@code whats}; fails if one was never seen. */
        long at(String... whats) {
            long latest = 0;
            for (String w : whats) {
                Long v = seen.get(w);
                if (v == null) {
                    fail(w + " never seen: " + this);
                }
                latest = Math.max(latest, v);
            }
            return latest;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            seen.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(" +").append(v).append(" ms"));
            return b.toString();
        }
    }

    @Test
    void aWorkerSuspendedPastItsLeaseHasItsLateVerdictsRefusedAndCounted() throws Exception {
        // Short settings: this test is about fencing a late worker off, not about timing.
        leaseSettings = "heartbeat_interval = 1\nlease_timeout = 5";
        Path cfg = fixture("heartbeat_interval = 1\nlease_timeout = 5\nsubtest_duration_def = 1\n"
                + "subtest_duration_max = 6");
        // One batch of all six subtests; w1 takes it (w2 starts later), s3 is slow there.
        step = "0.2";
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR), false)) {
            int port = Cluster.get(node.system()).selfMember().address().getPort().get();
            NodeProcess w1 = worker("w1", List.of(port));
            Path slow = Path.of(runsLog() + ".w1-s3");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Files.exists(slow) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(slow), "w1 reached s3");
            worker("w2", List.of(port));
            w1.signal("STOP"); // its test script runs on and prints s3's FAILED into the frozen agent's pipe
            long stoppedAt = System.currentTimeMillis();
            // w2 re-runs s3..s6 once the lease expired (5 s); w1 is resumed before the split-brain resolver
            // would down it (unreachable after about 3 s, then 10 s).
            CommitResults done = awaitBlob(r -> verdicts(r).size() == 6, Duration.ofSeconds(15), List.of());
            long relet = System.currentTimeMillis() - stoppedAt;
            Path late = Path.of(runsLog() + ".w1-s3-done");
            while (!Files.exists(late) && System.currentTimeMillis() - stoppedAt < 11_000) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(late), "s3's late FAILED is waiting in the frozen agent's console pipe");
            w1.signal("CONT");
            String api = "http://127.0.0.1:" + node.httpPort();
            HttpClient http = HttpClient.newHttpClient();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            double stale = 0;
            while (System.nanoTime() < until && stale == 0) {
                stale = staleMessages(http, api);
                Thread.sleep(200);
            }
            assertTrue(stale > 0, "w1's late messages were rejected and counted");
            Thread.sleep(1000); // anything w1 still sends after that must not change a verdict
            JsonNode commit = getJson(http, api + "/api/v1/commits/" + sha);
            for (JsonNode t : commit.get("tests")) {
                String name = t.get("name").asText();
                assertEquals("passed", t.get("status").asText(), name + ": w1's late FAILED did not overwrite it");
                if (name.compareTo("t.s3") >= 0) {
                    assertEquals("w2", t.get("host").asText(), name);
                }
            }
            assertEquals(verdicts(done), verdicts(blob()));
            assertTrue(w1.log().contains("abandoned lease") || w1.log().contains("rejected lease")
                    || w1.log().contains("no longer valid"), "w1 learned its lease was gone");
            System.out.println("measured: suspended worker's batch re-leased and finished " + relet + " ms after SIGSTOP");
        }
    }

    @Test
    void theCoordinatorFailsOverToTheStandbyNodeWithoutLosingAVerdictOrAQueuedJob() throws Exception {
        String url = System.getenv("KTEST_CI_TEST_PG_URL");
        if (System.getenv("CI") != null && url == null) {
            fail("CI must provide PostgreSQL (KTEST_CI_TEST_PG_URL), see .ci/run");
        }
        Assumptions.assumeTrue(url != null, "no PostgreSQL for the failover test (set KTEST_CI_TEST_PG_URL)");
        String user = System.getenv().getOrDefault("KTEST_CI_TEST_PG_USER", "postgres");
        resetDatabase(url, user);
        fixture("");
        // At the default lease_timeout (12 s), shorter than the 20 s of downing before the standby takes over: the
        // worker keeps its batch running while no coordinator is reachable, and the standby resumes it.
        String persistence = "[persistence]\njournal = \"postgresql\"\nurl = \"" + url + "\"\nuser = \"" + user + "\"\n";
        int p1 = NodeProcess.freePort();
        int p2 = NodeProcess.freePort();
        int http1 = NodeProcess.freePort();
        NodeProcess c1 = coordinator("c1", coordinatorConfig("c1", p1, http1, List.of(p1), persistence));
        awaitLog(c1, "dashboard listening", Duration.ofSeconds(60));
        int http2 = NodeProcess.freePort();
        NodeProcess c2 = coordinator("c2", coordinatorConfig("c2", p2, http2, List.of(p1), persistence));
        awaitLog(c2, "dashboard listening", Duration.ofSeconds(60));
        HttpClient sse = HttpClient.newHttpClient();
        LiveDashboardTest.EventLog onC1 = new LiveDashboardTest.EventLog(sse,
                "http://127.0.0.1:" + http1 + "/api/v1/events?types=verdict");
        LiveDashboardTest.EventLog onStandby = new LiveDashboardTest.EventLog(sse,
                "http://127.0.0.1:" + http2 + "/api/v1/events?types=verdict");
        assertEquals(200, onStandby.response().statusCode(), "the standby serves the event stream");
        worker("w2", List.of(p1, p2));
        Map<String, ResultEntry> recorded = verdicts(awaitBlob(r -> verdicts(r).size() >= 2, Duration.ofSeconds(120),
                List.of()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (runsOf("s3") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // kill while the second batch runs, so there is a lease to resume
        }
        // The standby's stream carries the singleton's verdicts with the ids the singleton gave them.
        awaitTrue("the standby's stream gets verdicts recorded on c1", () -> !onStandby.events.isEmpty());
        List<LiveDashboardTest.Event> relayed = List.copyOf(onStandby.events);
        for (LiveDashboardTest.Event e : relayed) {
            awaitTrue("verdict " + e.id() + " " + e.data() + " on c1's stream as on the standby's", () -> onC1.events
                    .stream().anyMatch(o -> o.id().equals(e.id()) && o.data().equals(e.data())));
        }
        long killedAt = System.currentTimeMillis();
        c1.kill();
        Timeline t = new Timeline(killedAt);
        CommitResults after = null;
        long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (after == null && System.nanoTime() < until) {
            t.mark("standby's coordinator started", () -> c2.log().contains("coordinator started"));
            t.mark("batch resumed", () -> c2.log().contains("leases resumed: host=w2"));
            CommitResults r = blob();
            if (verdicts(r).size() == 6) {
                after = r;
                t.mark("last verdict", () -> true);
            }
            Thread.sleep(100);
        }
        assertTrue(after != null, "all six verdicts within 180 s; last blob: " + blob());
        for (Map.Entry<String, ResultEntry> e : recorded.entrySet()) {
            assertEquals(e.getValue(), verdicts(after).get(e.getKey()));
            assertEquals(1, runsOf(e.getKey().substring("t.".length())), e.getKey() + " ran once");
        }
        assertTrue(c2.log().contains("coordinator started"), "the singleton moved to c2");
        assertTrue(c2.log().contains("leases resumed: host=w2 leases=1"), "the running batch was resumed, not re-run");
        System.out.println("measured: active coordinator SIGKILLed, the standby took over, default settings: " + t);
        JsonNode commit = getJson(HttpClient.newHttpClient(), "http://127.0.0.1:" + http2 + "/api/v1/commits/" + sha);
        assertEquals(6, commit.get("tests").size());
        // After the failover the same stream goes on: the verdicts c2 records come with c2's incarnation.
        String c1Incarnation = relayed.get(0).id().substring(0, 8);
        awaitTrue("a verdict of c2's incarnation on c2's stream", () -> onStandby.events.stream()
                .anyMatch(e -> !e.id().startsWith(c1Incarnation)));
        onC1.close();
        onStandby.close();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not reached within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static void resetDatabase(String url, String user) throws Exception {
        try (var c = DriverManager.getConnection(url, user, "");
             var st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS event_tag, event_journal, snapshot, durable_state CASCADE");
        }
    }

    private static void awaitLog(NodeProcess p, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!p.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("'" + text + "' not logged within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    private static double staleMessages(HttpClient http, String api) throws Exception {
        return metricSum(http, api, "ktest_ci_stale_messages_total{");
    }

    /** The sum of the samples whose line starts with {@code prefix}. */
    private static double metricSum(HttpClient http, String api, String prefix) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(prefix)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static JsonNode getJson(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return JSON.readTree(r.body());
    }
}
