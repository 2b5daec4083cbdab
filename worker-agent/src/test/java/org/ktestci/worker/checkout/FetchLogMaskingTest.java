package org.ktestci.worker.checkout;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker's failing fetches from URLs with credentials (a bare token, a password with '@' and '/'): the agent
 * log, which becomes part of the run's full log served under /c/, and the worker's own log show no secret.
 */
class FetchLogMaskingTest {
    private static final String TOKEN = "glpat-W0rkerS1deT0ken98765";
    private static final String PASSWORD = "p@ss/w0rd-xyz";

    @TempDir
    Path dir;

    @Test
    void fetchUrlsAreMaskedInTheAgentLogAndTheWorkerLog() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        List<GitSource> sources = List.of(
                new GitSource("https://" + TOKEN + "@127.0.0.1:" + closed + "/o/r.git", "main"),
                new GitSource("https://alice:" + PASSWORD + "@127.0.0.1:" + closed + "/r.git", "main"));
        String fallback = "https://bob:" + PASSWORD + "@127.0.0.1:" + closed + "/fallback.git";
        Logger log = (Logger) LoggerFactory.getLogger(WorkspaceCheckout.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        List<String> agentLog = new CopyOnWriteArrayList<>();
        try {
            WorkspaceCheckout checkout = new WorkspaceCheckout(dir.resolve("work"), new long[0]);
            CheckoutException e = assertThrows(CheckoutException.class, () -> checkout.checkout("linux",
                    "ab".repeat(20), sources, fallback, dir.resolve("slot/repo"), agentLog::add));
            agentLog.add(e.getMessage());
        } finally {
            log.detachAppender(captured);
        }
        List<String> shown = new ArrayList<>(agentLog);
        captured.list.forEach(ev -> shown.add(ev.getFormattedMessage()));
        assertTrue(agentLog.stream().anyMatch(l -> l.equals("fetch https://***@127.0.0.1:" + closed
                + "/o/r.git +refs/heads/main:refs/ktest-ci/src/0")), agentLog.toString());
        assertEquals(5, captured.list.size(), "one warning per failed fetch: " + shown);
        for (String line : shown) {
            for (String secret : List.of(TOKEN, PASSWORD, "alice:", "bob:", "p%40ss")) {
                assertFalse(line.contains(secret), "\"" + secret + "\" in: " + line);
            }
        }
    }
}
