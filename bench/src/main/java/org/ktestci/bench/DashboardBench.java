package org.ktestci.bench;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.queries.CoordinatorQueries;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.dashboard.DashboardServer;
import org.ktestci.dashboard.DashboardSettings;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dashboard speed (issue: the dashboard a kernel developer uses every day): a real Pekko HTTP dashboard over a
 * real git repository of 500 commits, every one with a results blob of 13,000 entries in {@code output_dir}.
 * Server time per page (one client, sequential requests on one loopback connection, each to the last byte of
 * its body: first request, then p50/p99), as sent, gzipped and as a 304 revalidation, and requests per second
 * under {@code wrk} (Debian package) when it is installed.
 */
public final class DashboardBench {
    static int COMMITS = 500;
    static final int RESULTS = 13_000;
    static final String USER = "bench";
    static final String BRANCH = "main";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        COMMITS = args.length > 1 ? Integer.parseInt(args[1]) : COMMITS;
        Path root = TempDirs.create("dashboard-bench");
        Path repoDir = root.resolve("linux");
        Path outputDir = Files.createDirectories(root.resolve("output"));
        long t0 = System.nanoTime();
        List<String> shas = commits(repoDir);
        System.err.printf(Locale.ROOT, "setup: %d commits in %.1f s%n", shas.size(), (System.nanoTime() - t0) / 1e9);
        writeResults(outputDir, shas);
        System.out.printf(Locale.ROOT, "setup: %d commits × %d results written in %.1f s%n", COMMITS, RESULTS,
                (System.nanoTime() - t0) / 1e9);

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dashboard-bench");
        try (Repositories repos = new Repositories()) {
            BranchSpec branch = new BranchSpec(BRANCH, "linux", repoDir, "", repoDir.toString(), BRANCH, List.of());
            CoordinatorQueries queries = new CoordinatorQueries(USER, outputDir, COMMITS, List.of(branch), repos,
                    new BranchFetchStatus(), new ResultsIndex());
            ServerBinding binding = DashboardServer.start(system, queries, new DashboardSettings("127.0.0.1", 0, ""))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + binding.localAddress().getPort();
            String tip = shas.get(shas.size() - 1);
            String key = name(4321);
            List<String[]> pages = List.of(
                    new String[] {"commit page, 13,000 results", base + "/ci?user=" + USER + "&commit=" + tip},
                    new String[] {"commit page JSON (format=json)", base + "/ci?user=" + USER + "&commit=" + tip
                            + "&format=json"},
                    new String[] {"commit JSON, /api/v1/commits/<sha>", base + "/api/v1/commits/" + tip},
                    new String[] {"branch page, 500 commits", base + "/ci?user=" + USER + "&branch=" + BRANCH},
                    new String[] {"branch page JSON, 500 commits", base + "/ci?user=" + USER + "&branch=" + BRANCH
                            + "&format=json"},
                    new String[] {"single-test branch view, 500 commits", base + "/ci?user=" + USER + "&branch="
                            + BRANCH + "&test=%5E" + key.replace(".", "%5C.") + "%24"},
                    new String[] {"history of one key, 500 commits", base + "/api/v1/tests/" + key
                            + "/history?branch=" + BRANCH + "&limit=500"});
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> etags = new ArrayList<>();
            for (String[] page : pages) {
                etags.add(measure(http, page[0], page[1], requests, 200));
                measure(http, "  gzip", page[1], requests, 200, "Accept-Encoding", "gzip");
                measure(http, "  304 (If-None-Match)", page[1], requests, 304, "If-None-Match", etags.get(
                        etags.size() - 1));
            }
            if (System.getenv("DASHBOARD_BENCH_HOLD") != null) {
                System.out.println("holding: " + pages.get(0)[1]);
                Thread.sleep(Long.parseLong(System.getenv("DASHBOARD_BENCH_HOLD")) * 1000);
            }
            if (onPath("wrk")) {
                for (int i = 0; i < pages.size(); i++) {
                    String[] page = pages.get(i);
                    wrk(page[0], page[1]);
                    wrk("  gzip", page[1], "Accept-Encoding: gzip");
                    wrk("  304 (If-None-Match)", page[1], "If-None-Match: " + etags.get(i));
                }
            } else {
                System.out.println("wrk not installed (apt-get install wrk): requests/s not measured");
            }
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** A linear history of 500 commits on refs/heads/<user>/<branch>, written straight into the object store. */
    static List<String> commits(Path dir) throws Exception {
        List<String> shas = new ArrayList<>();
        try (Git git = Git.init().setDirectory(dir.toFile()).setBare(true).call()) {
            Repository repo = git.getRepository();
            try (ObjectInserter ins = repo.newObjectInserter()) {
                ObjectId tree = ins.insert(Constants.OBJ_TREE, new byte[0]);
                ObjectId parent = null;
                for (int i = 0; i < COMMITS; i++) {
                    CommitBuilder c = new CommitBuilder();
                    c.setTreeId(tree);
                    if (parent != null) {
                        c.setParentId(parent);
                    }
                    PersonIdent who = new PersonIdent("Dev " + (i % 7), "dev" + (i % 7) + "@example.org",
                            new Date(1_700_000_000_000L + i * 60_000L), TimeZone.getTimeZone("UTC"));
                    c.setAuthor(who);
                    c.setCommitter(who);
                    c.setMessage("bcachefs: change " + i + " <of the btree & journal>\n\nLonger description.\n");
                    parent = ins.insert(c);
                    shas.add(parent.name());
                }
                ins.flush();
                RefUpdate u = repo.updateRef(CommitLog.localRef(USER, BRANCH));
                u.setNewObjectId(parent);
                u.forceUpdate();
            }
        }
        return shas;
    }

    static String name(int i) {
        String[] fs = {"bcachefs", "xfs", "ext4", "btrfs"};
        return String.format(Locale.ROOT, "fs.%s.xfstests.generic.%05d", fs[i % fs.length], i);
    }

    /** Mostly passing, a few failures and skips, durations skewed like a real suite's. */
    static void writeResults(Path outputDir, List<String> shas) throws IOException {
        for (int c = 0; c < shas.size(); c++) {
            Random rnd = new Random(c);
            List<ResultEntry> entries = new ArrayList<>(RESULTS);
            for (int i = 0; i < RESULTS; i++) {
                double p = rnd.nextDouble();
                Status s = p < 0.90 ? Status.PASSED : p < 0.95 ? Status.FAILED : p < 0.99 ? Status.NOTRUN
                        : Status.FAILED_TO_RUN;
                long duration = (long) Math.min(3600, Math.exp(rnd.nextGaussian() * 1.2 + 3));
                entries.add(new ResultEntry(name(i), s, duration, 1_700_000_000L + c * 60L));
            }
            String sha = shas.get(c);
            if (c % 100 == 0) {
                System.err.printf(Locale.ROOT, "setup: writing results of commit %d%n", c);
            }
            CommitResultsCodec.writeAtomically(outputDir.resolve(sha + ".capnp"),
                    new CommitResults(sha, "bcachefs: change " + c, entries));
        }
    }

    /**
     * The first request (with {@link HttpClient}, which also checks the status and reads the ETag), a warm-up, then
     * {@code n} sequential requests on one keep-alive connection, each timed to the last byte of its body.
     */
    static String measure(HttpClient http, String what, String url, int n, int status, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        long first = System.nanoTime();
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        double firstMs = (System.nanoTime() - first) / 1e6;
        if (r.statusCode() != status) {
            throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " (wanted " + status + "): "
                    + new String(r.body()));
        }
        URI uri = URI.create(url);
        double[] ms = new double[n];
        long bytes;
        try (LoopbackClient client = new LoopbackClient(uri)) {
            for (int i = 0; i < Math.min(20, n); i++) {
                client.get(uri, headers); // warm-up: JIT
            }
            bytes = 0;
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                LoopbackClient.Response x = client.get(uri, headers);
                ms[i] = (System.nanoTime() - t) / 1e6;
                if (x.status() != status) {
                    throw new IllegalStateException(url + ": HTTP " + x.status());
                }
                bytes = x.length();
            }
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-40s first %8.1f ms  p50 %7.2f ms  p99 %7.2f ms  %8d bytes (n=%d)%n", what,
                firstMs, ms[n / 2], ms[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)], bytes, n);
        return r.headers().firstValue("ETag").orElse("");
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("Latency\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)");

    /** wrk, 2 threads (the machine's cores are shared with the server), 16 connections, 10 s. */
    static void wrk(String what, String url, String... headers) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t2", "-c16", "-d10s", "--latency"));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Matcher rps = RPS.matcher(out);
        Matcher lat = LATENCY.matcher(out);
        // A 304 is what the revalidating run asks for; wrk counts it as non-2xx.
        boolean errors = (out.contains("Non-2xx") && !what.contains("304")) || out.contains("Socket errors");
        System.out.printf(Locale.ROOT, "wrk %-36s %10s req/s  mean latency %s%s%n", what,
                rps.find() ? rps.group(1) : "?", lat.find() ? lat.group(1) : "?",
                errors ? "  (errors: " + out.lines().filter(l -> l.contains("errors") || l.contains("Non-2xx"))
                        .map(String::trim).reduce((a, b) -> a + "; " + b).orElse("") + ")" : "");
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
