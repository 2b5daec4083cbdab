package org.ktestci.launcher.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.results.CommitResultsCodec;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A commit whose journal events cannot be read back (a real H2 row overwritten with bytes that are not JSON):
 * the coordinator quarantines that entity, says so in the log, in /readyz and /metrics, shows the commit as
 * unavailable, and starts, becomes ready and tests new commits. Before this issue ResultsStore waited for the
 * entity for ever and /readyz never turned ready.
 */
class JournalQuarantineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    /** Both subtests of {@code sha} have verdicts (through the API, as a user would see them). */
    private static void awaitTwoVerdicts(CoordinatorNode node, String sha, String what) throws Exception {
        assertEquals(2, CiFixture.awaitVerdicts(node.httpPort(), sha, 2, WAIT).size(), what);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUnreadableCommitIsQuarantinedAndTheCoordinatorStartsWithoutIt() throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(2, "bcachefs: commit");
        fx.testFile("t.ktest", CiFixture.passingTest("a b"));
        Path cfg = fx.config("ktest-ci.toml", "t.ktest", "fetch_interval = 5", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        CiConfig config = ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER);
        Path out = dir.resolve("out");
        String broken = shas.get(1);
        String intact = shas.get(0);
        try (CoordinatorNode node = CoordinatorNode.start(config, true)) {
            awaitTwoVerdicts(node, broken, "no verdicts for " + broken);
            awaitTwoVerdicts(node, intact, "no verdicts for " + intact);
        }

        // Overwrite the broken commit's first event with bytes that are not JSON, in the journal's own H2 file.
        String url = "jdbc:h2:file:" + config.persistence().h2File().toAbsolutePath() + ";DATABASE_TO_UPPER=false";
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement p = c.prepareStatement("UPDATE \"event_journal\" SET \"event_payload\" = ? "
                     + "WHERE \"persistence_id\" = ? AND \"sequence_number\" = 1")) {
            p.setBytes(1, "{\"corrupt".getBytes(StandardCharsets.UTF_8));
            p.setString(2, "commit-" + broken);
            assertEquals(1, p.executeUpdate());
        }
        String third;
        try (Git git = Git.open(dir.resolve("upstream").toFile())) {
            third = TestRepos.commit(git, "bcachefs: third", 1_700_200_000L);
        }

        Logger log = (Logger) LoggerFactory.getLogger(ResultsStore.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try (CoordinatorNode node = CoordinatorNode.start(config, true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            HttpResponse<String> ready = awaitReady(base);
            assertTrue(ready.body().startsWith("ready\n1 journal entities quarantined"), ready.body());
            assertTrue(ready.body().contains("commit-" + broken + ": recovery failed: "), ready.body());
            assertTrue(get(base + "/metrics").body().contains("ktest_ci_journal_quarantined_entities 1.0"));

            HttpResponse<String> api = get(base + "/api/v1/commits/" + broken);
            assertEquals(503, api.statusCode(), api.body());
            assertTrue(api.body().contains("results of commit " + broken + " are unavailable"), api.body());
            HttpResponse<String> page = get(base + "/ci?commit=" + broken);
            assertEquals(503, page.statusCode());
            assertTrue(page.body().contains("are unavailable: its journal entries cannot be read back"), page.body());
            assertEquals(200, get(base + "/api/v1/commits/" + intact).statusCode(), "the intact commit is served");

            // The coordinator works: the new commit is tested, and nothing runs for the quarantined one.
            awaitTwoVerdicts(node, third, "the new commit got no verdicts");
            assertEquals(2, CommitResultsCodec.read(out.resolve(broken + ".capnp")).entries().size(),
                    "the quarantined commit's last projection is left as it was");
        } finally {
            log.detachAppender(captured);
        }
        assertTrue(captured.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().startsWith("results of commit " + broken + " quarantined")),
                captured.list.toString());

        // The repair of docs/operations.md §7.1: delete the commit's events; at the next start it runs again.
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement events = c.prepareStatement("DELETE FROM event_journal WHERE persistence_id = ?");
             PreparedStatement snapshots = c.prepareStatement("DELETE FROM snapshot WHERE persistence_id = ?")) {
            events.setString(1, "commit-" + broken);
            snapshots.setString(1, "commit-" + broken);
            assertTrue(events.executeUpdate() > 0);
            snapshots.executeUpdate();
        }
        Files.delete(out.resolve(broken + ".capnp")); // so the poller sees new verdicts, not the old projection
        try (CoordinatorNode node = CoordinatorNode.start(config, true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            assertEquals("ready", awaitReady(base).body());
            awaitTwoVerdicts(node, broken, "the repaired commit was not run again");
            assertEquals(200, get(base + "/api/v1/commits/" + broken).statusCode());
        }
    }

    private static HttpResponse<String> awaitReady(String base) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(base + "/readyz");
            if (last.statusCode() == 200) {
                return last;
            }
            Thread.sleep(200);
        }
        fail("never ready: " + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
        return last;
    }
}
