package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.ktestci.schema.results.ResultEntry;

import java.time.Duration;
import java.util.Optional;

import static org.ktestci.cistatus.ServerConnection.enc;

/**
 * {@code logs -f}: finds the lease running a test ({@code /api/v1/workers}), prints its console lines as they
 * come ({@code /api/v1/leases/{id}/log}), and when the batch ends reports the test's verdict on stderr.
 */
final class LiveFollow {
    private static final Duration POLL = Duration.ofSeconds(1);

    private final ServerApi api;
    private final Session session;
    private final ResultsSource results;

    LiveFollow(ServerApi api, Session session, ResultsSource results) {
        this.api = api;
        this.session = session;
        this.results = results;
    }

    void follow(String sha, String key, Duration findLease) {
        long deadline = System.nanoTime() + findLease.toNanos();
        while (true) {
            Optional<String> lease = leaseRunning(sha, key);
            if (lease.isPresent()) {
                session.err().println("following lease " + lease.get() + " (Ctrl-C to stop)");
                Terminal out = session.out();
                Optional<Boolean> ended = api.follow("/api/v1/leases/" + enc(lease.get()) + "/log", ev -> {
                    if (ev.name().equals("log")) {
                        for (JsonNode line : ev.json().path("lines")) {
                            out.line(out.untrusted(line.asText()));
                        }
                        return true;
                    }
                    return !ev.name().equals("end");
                });
                if (ended.isPresent()) {
                    reportVerdict(sha, key);
                    return;
                }
                // 404: the lease ended between the two requests; look again.
            }
            Optional<ResultEntry> now = entry(sha, key);
            if (now.isPresent() && now.get().status().isVerdict()) {
                session.err().println(key + ": " + now.get().status().display());
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CliError("no running lease for " + key + " (status "
                        + now.map(e -> e.status().display()).orElse("absent") + ")");
            }
            sleep();
        }
    }

    /** The lease of a busy slot whose batch is {@code sha} and holds {@code key}. */
    private Optional<String> leaseRunning(String sha, String key) {
        for (JsonNode h : api.get("/api/v1/workers").path("hosts")) {
            for (JsonNode s : h.path("slot_list")) {
                JsonNode l = s.path("lease");
                if (l.isObject() && l.path("commit").asText().equals(sha)) {
                    for (JsonNode k : l.path("subtest_keys")) {
                        if (k.asText().equals(key)) {
                            return Optional.of(l.path("lease_id").asText());
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The verdict may land a moment after the lease ends (projection): wait for it briefly. */
    private void reportVerdict(String sha, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Optional<ResultEntry> e = entry(sha, key);
        while (System.nanoTime() < deadline && (e.isEmpty() || !e.get().status().isVerdict())) {
            sleep();
            e = entry(sha, key);
        }
        session.err().println(key + ": " + e.map(r -> r.status().display()).orElse("no result"));
    }

    private Optional<ResultEntry> entry(String sha, String key) {
        return results.resultsOf(sha).results().entries().stream().filter(r -> r.name().equals(key)).findFirst();
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError("interrupted");
        }
    }
}
