package org.ktestci.bench;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * The commit page as a developer meets it (issue 15 item 5): the real dashboard over a branch whose tip has 13,000
 * results (5 % failed, DashboardBench's mix), each failure with its {@code log.br}, opened in headless Chromium
 * over loopback by {@code browser-tests/page-bench.mjs} (playwright-core). That script prints, per warm run, the
 * time from navigation start to the first failed row on screen, to the load event, and to the log of that row on
 * screen after a click made as soon as the row showed. This class prints the server's side: the page's size as
 * sent and gzipped.
 * <pre>bench/run page [runs] [commits]</pre>
 */
public final class PageBench {
    /** What every failed subtest's log says, so the script can tell the log is on screen. */
    static final String LOG_MARKER = "page-bench: log of ";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        DashboardBench.COMMITS = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path scripts = Path.of(System.getProperty("bench.browser-tests", "browser-tests")).toAbsolutePath();
        if (!Files.isDirectory(scripts.resolve("node_modules/playwright-core"))) {
            throw new IllegalStateException("no " + scripts.resolve("node_modules/playwright-core")
                    + ": run `npm ci --prefix browser-tests` first");
        }
        Path root = TempDirs.create("page-bench");
        Path repoDir = root.resolve("linux");
        Path outputDir = Files.createDirectories(root.resolve("output"));
        List<String> shas = DashboardBench.commits(repoDir);
        DashboardBench.writeResults(outputDir, shas);
        String tip = shas.get(shas.size() - 1);
        CommitResults results = CommitResultsCodec.read(outputDir.resolve(tip + ".capnp"));
        String firstFailed = null;
        int failed = 0;
        for (ResultEntry e : results.entries()) {
            if (e.status() == Status.FAILED) {
                Path dir = Files.createDirectories(outputDir.resolve(tip).resolve(e.name()));
                String log = LOG_MARKER + e.name() + "\n" + "generic/xxx: output mismatch\n".repeat(40);
                AtomicFiles.write(dir.resolve("log.br"), Brotli.compress(log.getBytes(StandardCharsets.UTF_8)));
                firstFailed = firstFailed == null ? e.name() : firstFailed;
                failed++;
            }
        }
        System.out.printf(Locale.ROOT, "setup: %d commits, tip with %d results, %d failed (first: %s)%n",
                shas.size(), results.entries().size(), failed, firstFailed);

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "page-bench");
        try (Repositories repos = new Repositories()) {
            BranchSpec branch = new BranchSpec(DashboardBench.BRANCH, "linux", repoDir, "", repoDir.toString(),
                    DashboardBench.BRANCH, List.of());
            CoordinatorQueries queries = new CoordinatorQueries(DashboardBench.USER, outputDir, shas.size(),
                    List.of(branch), repos, new BranchFetchStatus(), new ResultsIndex());
            ServerBinding binding = DashboardServer.start(system, queries, new DashboardSettings("127.0.0.1", 0, ""))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            String url = "http://127.0.0.1:" + binding.localAddress().getPort() + "/ci?user=" + DashboardBench.USER
                    + "&commit=" + tip;
            serverSide(url);
            Process node = new ProcessBuilder("node", scripts.resolve("page-bench.mjs").toString(), url, firstFailed,
                    LOG_MARKER + firstFailed, Integer.toString(runs))
                    .directory(scripts.toFile()).inheritIO().start();
            int exit = node.waitFor();
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (exit != 0) {
                throw new IllegalStateException("page-bench.mjs exited with " + exit);
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The page as the server sends it: its size, gzipped size, and the time of the first (rendering) request. */
    private static void serverSide(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long t = System.nanoTime();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        double firstMs = (System.nanoTime() - t) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": HTTP " + r.statusCode());
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(r.body());
        }
        String html = new String(r.body(), StandardCharsets.UTF_8);
        int rows = html.split("<tr ", -1).length - 1;
        System.out.printf(Locale.ROOT, "server: commit page %d bytes (%d gzipped), %d rows, first request %.0f ms%n",
                r.body().length, gz.size(), rows, firstMs);
    }
}
