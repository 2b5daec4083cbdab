package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jgit.api.Git;
import org.ktestci.coordinator.TestRepos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scene every end-to-end test starts from: an upstream repository with commits, an empty
 * {@code linux_repo}, a ktest tree with one test file, and a config tracking {@code upstream main}.
 */
final class CiFixture {
    private final Path dir;

    CiFixture(Path dir) {
        this.dir = dir;
    }

    /** {@code n} commits in {@code upstream} (oldest first) and an empty {@code repo} to fetch into. */
    List<String> repos(int n, String subject) throws Exception {
        List<String> shas = TestRepos.commits(dir.resolve("upstream"), n, subject);
        Git.init().setDirectory(dir.resolve("repo").toFile()).call().close();
        return shas;
    }

    /** A test file, outside any VM, whose subtests (space-separated) all pass at once. */
    static String passingTest(String subtests) {
        return """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "%s" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do echo "========= TEST   $t"; echo "========= PASSED $t in 0s";
                        done ;;
                esac
                """.formatted(subtests);
    }

    /** {@code admin.token} holding {@code token}, readable by its owner only (as the coordinator demands). */
    Path adminToken(String token) throws IOException {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    void testFile(String relative, String script) throws IOException {
        Path test = dir.resolve("ktest/tests").resolve(relative);
        Files.createDirectories(test.getParent());
        Files.writeString(test, script);
        Files.setPosixFilePermissions(test, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * A coordinator config for group {@code g} with {@code test} on branch {@code main}; {@code top} adds
     * top-level keys, {@code cluster} the [cluster] security line(s), {@code worker} a [worker] table body
     * (empty: none).
     */
    Path config(String name, String test, String top, String cluster, String worker) throws IOException {
        return config(name, test, top, cluster, worker, "");
    }

    /** As above, with {@code http} added to the [http] table. */
    Path config(String name, String test, String top, String cluster, String worker, String http)
            throws IOException {
        Path cfg = dir.resolve(name);
        Files.writeString(cfg, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                state_dir = "state"
                ci_host = "127.0.0.1"
                %s
                [test_group.g]
                tests = ["%s"]
                [branch.main]
                fetch = "upstream main"
                test_groups = ["g"]
                [cluster]
                %sbind_host = "127.0.0.1"
                port = 0
                [http]
                bind = "127.0.0.1:0"
                %s
                %s""".formatted(top, test, cluster, http, worker.isEmpty() ? "" : "[worker]\n" + worker));
        return cfg;
    }

    static final String PLAINTEXT = "insecure_plaintext = true\n";

    /** A [worker] body: one slot running tests on the host, no free-disk floor. */
    static final String HOST_WORKER = "runner = \"host\"\nslots = 1\nmin_free_disk_gib = 0\n";

    /**
     * Polls {@code /api/v1/commits/<sha>} until it lists {@code count} tests, none in progress, or the deadline
     * passes; returns the tests by name as last seen.
     */
    static Map<String, JsonNode> awaitVerdicts(int httpPort, String sha, int count, Duration timeout)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI api = URI.create("http://127.0.0.1:" + httpPort + "/api/v1/commits/" + sha);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, JsonNode> tests = new HashMap<>();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(api).build(),
                    HttpResponse.BodyHandlers.ofString());
            tests.clear();
            if (r.statusCode() == 200) {
                new ObjectMapper().readTree(r.body()).get("tests").forEach(t -> tests.put(t.get("name").asText(), t));
                if (tests.size() == count && tests.values().stream()
                        .noneMatch(t -> t.get("status").asText().equals("inprogress"))) {
                    break;
                }
            }
            Thread.sleep(500);
        }
        return tests;
    }
}
