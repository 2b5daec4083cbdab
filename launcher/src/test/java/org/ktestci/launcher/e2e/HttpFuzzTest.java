package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.dashboard.RouteTemplate;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes a running coordinator's HTTP port (issue 12, "Tests and figures"): 10,000 random or mutated requests on
 * loopback with a fixed seed, from the moment the node starts (admin calls with the real token among them).
 * Nothing may answer 5xx except 503 while the coordinator is not ready yet; no answer may carry a byte of a file
 * outside {@code output_dir} (planted behind symlinks inside it); and no request may add a {@code /metrics} series
 * (the route label takes only the fixed templates; no label anywhere takes a value the fuzzer made up).
 */
class HttpFuzzTest {
    private static final long SEED = 20261207L;
    private static final int REQUESTS = 10_000;
    private static final long BUDGET_NANOS = 90_000_000_000L;
    private static final int CLIENTS = 4;
    private static final String TOKEN = "fuzz-token-0123456789abcdef0123456789";
    private static final String SECRET = "SECRET-OUTSIDE-OUTPUT-DIR-7f3a9c1e";

    @TempDir
    Path dir;

    @Test
    void randomRequestsGetNoServerErrorReadNothingOutsideAndAddNoSeries() throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(2, "bcachefs: commit");
        fx.testFile("t.ktest", CiFixture.passingTest("a b"));
        fx.adminToken(TOKEN);
        Path cfg = fx.config("ktest-ci.toml", "t.ktest", "fetch_interval = 5", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER, "admin_token_file = \"admin.token\"");
        Path out = plantEscapes(shas);

        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            Fuzz fuzz = new Fuzz(node.httpPort(), shas);
            fuzz.run();
            fuzz.report();
            assertEquals(List.of(), fuzz.violations, "server errors after ready, or bytes from outside output_dir");
            assertTrue(fuzz.done.get() >= REQUESTS / 10, "the budget allowed only " + fuzz.done.get() + " requests");
            checkMetrics(node.httpPort());
        }
        assertTrue(Files.exists(out), "output_dir is still there");
    }

    /** A secret next to output_dir, and symlinks to it (and to its directory) inside output_dir. */
    private Path plantEscapes(List<String> shas) throws Exception {
        Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        Path out = dir.resolve("out");
        Path key = out.resolve(shas.get(0)).resolve("t.escape");
        Files.createDirectories(key);
        for (String f : List.of("status", "duration", "log.br", "full_log.br")) {
            Files.createSymbolicLink(key.resolve(f), Paths.get("../../../secret.txt"));
        }
        Files.createSymbolicLink(out.resolve(shas.get(0)).resolve("t.dirlink"), dir);
        Files.createSymbolicLink(out.resolve("f".repeat(40) + ".capnp"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(out.resolve("e".repeat(40)), dir);
        return out;
    }

    /** Every HTTP series has a template route; no label value anywhere is one the fuzzer made up. */
    private static void checkMetrics(int port) throws Exception {
        RawHttp.Response m = RawHttp.send("127.0.0.1", port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close"
                + "\r\n\r\n", 8 << 20);
        assertEquals(200, m.status());
        Set<String> routes = new TreeSet<>();
        Matcher r = Pattern.compile("route=\"([^\"]*)\"").matcher(m.body());
        while (r.find()) {
            routes.add(r.group(1));
        }
        for (String route : routes) {
            assertTrue(RouteTemplate.ALL.contains(route), "route label not a template: " + route);
        }
        assertFalse(m.body().contains(RequestMaker.WORD_PREFIX), "a label took a value the fuzzer made up");
        long series = m.body().lines().filter(l -> l.startsWith("ktest_ci_http_requests_total{")).count();
        System.out.printf("http fuzzer: /metrics has %d route labels, %d request-count series%n", routes.size(),
                series);
    }

    /** The fuzzing clients, their counts and what they found. */
    private static final class Fuzz {
        final int port;
        final List<String> shas;
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger unavailableWhileStarting = new AtomicInteger();
        final AtomicInteger leftWaiting = new AtomicInteger();
        final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        final Set<String> paths = ConcurrentHashMap.newKeySet();
        /** Milliseconds spent per route template: where the budget goes. */
        final Map<String, AtomicLong> millisByRoute = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        long millis;

        Fuzz(int port, List<String> shas) {
            this.port = port;
            this.shas = shas;
        }

        void run() throws Exception {
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            try {
                Future<?> readiness = pool.submit(() -> pollReady(start));
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Random random = new Random(SEED + c);
                    clients.add(pool.submit(() -> {
                        RequestMaker maker = new RequestMaker(random, shas, TOKEN);
                        while (System.nanoTime() - start < BUDGET_NANOS) {
                            int n = done.getAndIncrement();
                            if (n >= REQUESTS) {
                                done.decrementAndGet();
                                return null;
                            }
                            one(maker.next());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get();
                }
                readiness.cancel(true);
            } finally {
                pool.shutdownNow();
            }
            millis = (System.nanoTime() - start) / 1_000_000;
        }

        private void pollReady(long start) {
            while (!ready.get() && System.nanoTime() - start < BUDGET_NANOS) {
                try {
                    if (RawHttp.send("127.0.0.1", port, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                            1 << 16).status() == 200) {
                        ready.set(true);
                        return;
                    }
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        }

        private void one(RequestMaker.Request req) {
            boolean readyBefore = ready.get();
            paths.add(req.target());
            RawHttp.Response r;
            long t0 = System.nanoTime();
            try {
                r = RawHttp.send("127.0.0.1", port, req.raw(), 4 << 20, req.garbage() ? 3_000 : 60_000);
            } catch (SocketTimeoutException e) {
                if (req.garbage()) {
                    leftWaiting.incrementAndGet(); // a prefix of a request: the server waits (idle timeout) for more
                } else {
                    violations.add("no answer to " + req.summary() + ": " + e);
                }
                return;
            } catch (Exception e) {
                violations.add("no answer to " + req.summary() + ": " + e);
                return;
            }
            String path = req.target().contains("?") ? req.target().substring(0, req.target().indexOf('?'))
                    : req.target();
            millisByRoute.computeIfAbsent(RouteTemplate.of(path), k -> new AtomicLong())
                    .addAndGet((System.nanoTime() - t0) / 1_000_000);
            byStatus.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
            if (r.status() >= 500) {
                if (r.status() == 503 && !readyBefore) {
                    unavailableWhileStarting.incrementAndGet();
                } else {
                    violations.add(r.status() + " for " + req.summary() + ": " + abbreviate(r.body()));
                }
            }
            if (r.body().contains(SECRET)) {
                violations.add("secret served for " + req.summary());
            }
        }

        void report() {
            Map<Integer, Integer> counts = new TreeMap<>();
            byStatus.forEach((k, v) -> counts.put(k, v.get()));
            System.out.printf("http fuzzer: %d requests (%d distinct targets) in %d ms, %d clients, seed %d; status "
                            + "counts %s; 503 while starting: %d; garbage left waiting for more bytes: %d; violations: "
                            + "%d%n", done.get(), paths.size(), millis, CLIENTS, SEED, counts,
                    unavailableWhileStarting.get(), leftWaiting.get(), violations.size());
            Map<String, Long> slow = new TreeMap<>();
            millisByRoute.forEach((k, v) -> slow.put(k, v.get()));
            System.out.println("http fuzzer: client-side milliseconds per route: " + slow);
        }

        private static String abbreviate(String s) {
            return s.length() > 300 ? s.substring(0, 300) + "…" : s;
        }
    }
}
