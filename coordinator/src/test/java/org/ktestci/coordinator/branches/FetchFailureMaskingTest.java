package org.ktestci.coordinator.branches;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.dashboard.BranchSummary;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real JGit fetches that fail, from URLs with credentials in them (a bare token, user:password, a password with
 * '@' and '/'): the coordinator's log line, the fetch status the dashboard serves as last_fetch_error and the
 * fetch URL of /api/v1/branches show none of the secrets. Measured before this issue: the password of an
 * https://user:password@… fetch URL appeared in the coordinator's log.
 */
class FetchFailureMaskingTest {
    private static final ActorTestKit KIT = ActorTestKit.create("FetchFailureMaskingTest");
    private static final String TOKEN = "ghp_R3alLookingT0kenValue1234567890";
    private static final String PASSWORD = "p@ss/w0rd!";
    private static final String PASSWORD2 = "s3cr3t-Passw0rd";

    @TempDir
    Path dir;

    private final Repositories repos = new Repositories();
    private HttpServer server;
    private ServerSocket hangUp;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @AfterEach
    void close() {
        repos.close();
        if (server != null) {
            server.stop(0);
        }
        if (hangUp != null) {
            try {
                hangUp.close();
            } catch (IOException e) {
                // the test is over
            }
        }
    }

    /** A local "git server" that asks for credentials and refuses every one of them. */
    private int refusingServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            byte[] body = "denied".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    /** Accepts connections and hangs up at once: a TLS client fails its handshake. */
    private int hangingUpServer() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        hangUp = socket;
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    socket.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        }, "hang-up-server");
        t.setDaemon(true);
        t.start();
        return socket.getLocalPort();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private BranchSpec branch(String name, String url) {
        return new BranchSpec(name, "linux", dir.resolve("repo"), "", url, "main", List.of());
    }

    @Test
    void credentialsOfFailingFetchUrlsReachNeitherTheLogNorTheDashboard() throws Exception {
        Git.init().setBare(true).setDirectory(dir.resolve("repo").toFile()).call().close();
        int refusing = refusingServer();
        int closed = closedPort();
        int hangingUp = hangingUpServer();
        List<BranchSpec> branches = List.of(
                branch("token", "https://" + TOKEN + "@127.0.0.1:" + closed + "/o/r.git"),
                branch("refused", "http://alice:" + PASSWORD + "@127.0.0.1:" + refusing + "/r.git"),
                branch("encoded", "http://bob:" + PASSWORD2.replace("-", "%2D") + "@127.0.0.1:" + refusing + "/r.git"),
                branch("tls", "https://carol:" + PASSWORD2 + "@127.0.0.1:" + hangingUp + "/r.git"));
        List<String> secrets = List.of(TOKEN, PASSWORD, PASSWORD2, "p%40ss", "alice:", "bob:", "carol:");

        // The leak is real: JGit's own messages carry the user-info (a bare token is its "user").
        Exception raw = assertThrows(Exception.class,
                () -> BranchFetcher.fetch(repos.get(dir.resolve("repo")), "ci", branches.get(0)));
        assertTrue(raw.getMessage().contains(TOKEN), raw.getMessage());

        Logger log = (Logger) LoggerFactory.getLogger(BranchWatcher.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        BranchFetchStatus status = new BranchFetchStatus();
        TestProbe<JobWindow.Command> window = KIT.createTestProbe();
        try {
            KIT.spawn(BranchWatcher.create("ci", branches, repos, status, window.ref(), Duration.ofHours(1)));
            window.awaitAssert(Duration.ofSeconds(60), () -> {
                for (BranchSpec b : branches) {
                    assertTrue(status.of(b.name()).flatMap(BranchFetchStatus.Entry::error).isPresent(), b.name());
                }
                assertEquals(branches.size(), captured.list.size());
                return null;
            });
        } finally {
            log.detachAppender(captured);
        }

        List<String> shown = new ArrayList<>();
        for (ILoggingEvent e : captured.list) {
            shown.add(e.getFormattedMessage());
            assertTrue(e.getFormattedMessage().startsWith("fetch failed: branch="), e.getFormattedMessage());
            assertTrue(e.getFormattedMessage().contains("url=http"), e.getFormattedMessage());
            assertTrue(e.getFormattedMessage().contains("://***@127.0.0.1:"), e.getFormattedMessage());
        }
        for (BranchSpec b : branches) {
            shown.add(status.of(b.name()).orElseThrow().error().orElseThrow());
        }
        CoordinatorQueries queries = new CoordinatorQueries("ci", dir.resolve("out"), 10, branches, repos, status,
                new ResultsIndex());
        for (BranchSummary s : queries.branches()) {
            shown.add(s.fetch());
            shown.add(s.lastFetchError().orElseThrow());
            assertTrue(s.fetch().contains("://***@127.0.0.1:"), s.fetch());
        }
        for (String text : shown) {
            for (String secret : secrets) {
                assertFalse(text.contains(secret), "\"" + secret + "\" in: " + text);
            }
        }
    }
}
