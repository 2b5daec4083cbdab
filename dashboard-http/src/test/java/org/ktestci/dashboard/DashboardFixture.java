package org.ktestci.dashboard;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A real git repository, a real {@code output_dir} and a dashboard bound to 127.0.0.1 on a free port.
 *
 * <p>Branch {@code main}, oldest first: m0 tested, m1 untested, m2 tested, m3 tested (blob without message),
 * m4 untested, m5 = tip, tested, with a hostile message and a hostile key. Branch {@code long}: tested,
 * 101 untested, tested tip (the walk stops before the oldest). Branch {@code hundred}: tested, 100 untested,
 * tested tip (both shown). Branch {@code boom} fails with an internal error, {@code down} is unavailable.
 */
final class DashboardFixture implements AutoCloseable {
    static final String HOSTILE_MESSAGE = "fix <script>alert('x')</script> & \"q\"\n\nSigned-off-by: Eve <e@x>\n";
    static final String HOSTILE_KEY = "k.<script>alert(1)</script>";
    static final String BOMB_KEY = "a".repeat(40) + "!";
    static final String LOG_TEXT = "00000 ========= TEST   b\n00001 <script>alert(1)</script>\n00002 FAILED\n";
    static final String FULL_LOG_TEXT = "# run header\n" + "console line\n".repeat(200);
    static final long T0 = 1_700_000_000L;
    /** The reason the coordinator wrote into k.c's fallback full log (no journal detail says it). */
    static final FailureReason FTR_REASON = new FailureReason("checkout_failed", List.of(
            new FailureReason.Attempt(1, "farm1", 0, "lease-a", "checkout_failed", T0 + 40),
            new FailureReason.Attempt(2, "farm2", 1, "lease-b", "checkout_failed", T0 + 50)));

    final Path root;
    final Path out;
    final Repository repo;
    /** main's commits, oldest first (m0 … m5). */
    final List<String> main = new ArrayList<>();
    final List<String> longBranch = new ArrayList<>();
    final List<String> hundred = new ArrayList<>();
    final Set<String> queryThreads = ConcurrentHashMap.newKeySet();
    /** The re-runs the queries answer per commit (issue 14 item 4); none unless a test sets some. */
    final Map<String, Map<String, List<Observation>>> reruns = new ConcurrentHashMap<>();
    final Map<String, Map<String, org.ktestci.schema.results.FirstBad>> firstBad = new ConcurrentHashMap<>();
    /** The known issues the queries answer (issue 14); none unless a test sets some. */
    final List<KnownIssue> known = new CopyOnWriteArrayList<>();
    /** Calls of the queries the views make (not {@code viewsVersion}): a page served from the cache makes none. */
    final AtomicInteger queryCalls = new AtomicInteger();
    private final ActorTestKit kit;
    private ServerBinding binding;
    final Http http;

    private DashboardFixture(Path root) throws IOException {
        this.root = root;
        this.out = root.resolve("out");
        this.repo = FileRepositoryBuilder.create(root.resolve("repo.git").toFile());
        repo.create(true);
        this.kit = ActorTestKit.create();
        this.http = new Http(this);
    }

    static DashboardFixture start(Path root, String basePath) throws Exception {
        return start(root, basePath, Optional.empty(), q -> q);
    }

    /** With an admin token file, and the fixture's queries wrapped (to add admin actions, say). */
    static DashboardFixture start(Path root, String basePath, Optional<Path> adminTokenFile,
                                  UnaryOperator<CiQueries> wrap) throws Exception {
        DashboardFixture f = new DashboardFixture(root);
        f.writeHistory();
        f.writeOutputDir();
        DashboardSettings settings = new DashboardSettings("127.0.0.1", 0, basePath)
                .withAdminTokenFile(adminTokenFile);
        f.binding = DashboardServer.start(f.kit.system(), wrap.apply(f.new Queries()), settings)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        return f;
    }

    int port() {
        return binding.localAddress().getPort();
    }

    String m(int i) {
        return main.get(i);
    }

    @Override
    public void close() throws Exception {
        if (binding != null) {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        kit.shutdownTestKit();
        repo.close();
    }

    // ---- git -------------------------------------------------------------------------------------------

    private void writeHistory() throws IOException {
        ObjectId parent = null;
        for (int i = 0; i <= 5; i++) {
            String msg = i == 5 ? HOSTILE_MESSAGE : "main commit " + i + "\n\nbody " + i + "\n";
            parent = commit(parent, msg, T0 + 60L * i);
            main.add(parent.getName());
        }
        ref("main", parent);
        ref("long", chain(longBranch, 103, T0 + 1000));
        ref("hundred", chain(hundred, 102, T0 + 100_000));
    }

    private ObjectId chain(List<String> shas, int n, long time) throws IOException {
        ObjectId parent = null;
        for (int i = 0; i < n; i++) {
            parent = commit(parent, "chain commit " + i + "\n", time + i);
            shas.add(parent.getName());
        }
        return parent;
    }

    private ObjectId commit(ObjectId parent, String message, long time) throws IOException {
        try (ObjectInserter ins = repo.newObjectInserter()) {
            ObjectId tree = ins.insert(new TreeFormatter());
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(tree);
            if (parent != null) {
                c.setParentId(parent);
            }
            PersonIdent who = new PersonIdent("Eve \"q\" & co", "eve@example.org", Instant.ofEpochSecond(time),
                    ZoneOffset.UTC);
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage(message);
            ObjectId id = ins.insert(c);
            ins.flush();
            return id;
        }
    }

    private void ref(String branch, ObjectId tip) throws IOException {
        RefUpdate u = repo.updateRef(CommitLog.localRef("ci", branch));
        u.setNewObjectId(tip);
        u.setForceUpdate(true);
        RefUpdate.Result r = u.update();
        if (r != RefUpdate.Result.NEW && r != RefUpdate.Result.FORCED) {
            throw new IOException("ref update " + branch + ": " + r);
        }
    }

    // ---- output_dir ------------------------------------------------------------------------------------

    private void writeOutputDir() throws IOException {
        OutputDir od = new OutputDir(out);
        Files.createDirectories(out);
        blob(m(0), gitMessage(0), List.of(e("k.a", Status.PASSED, 10), e("k.b", Status.PASSED, 20),
                e("k.flaky", Status.PASSED, 5), e(BOMB_KEY, Status.PASSED, 1)));
        blob(m(2), gitMessage(2), List.of(e("k.a", Status.PASSED, 11), e("k.b", Status.FAILED, 21),
                e("k.flaky", Status.PASSED, 6)));
        blob(m(3), "", List.of(e("k.a", Status.PASSED, 12), e("k.b", Status.FAILED, 22), e("k.c", Status.NOTRUN, 0),
                e("k.flaky", Status.FAILED, 7)));
        blob(m(5), HOSTILE_MESSAGE, List.of(e(HOSTILE_KEY, Status.FAILED, 3), e("k.a", Status.PASSED, 13),
                e("k.b", Status.FAILED, 31), e("k.c", Status.FAILED_TO_RUN, 0), e("k.d", Status.INPROGRESS, 0),
                e("k.e", Status.UNKNOWN, 2), e("k.new", Status.FAILED, 4)));
        blob(longBranch.get(0), "", List.of(e("k.a", Status.PASSED, 1)));
        blob(longBranch.get(102), "", List.of(e("k.a", Status.PASSED, 2)));
        blob(hundred.get(0), "", List.of(e("k.a", Status.PASSED, 1)));
        blob(hundred.get(101), "", List.of(e("k.a", Status.FAILED, 2)));

        Path b = od.keyDir(m(5), "k.b");
        AtomicFiles.writeString(b.resolve("status"), "========= FAILED b in 31s\n");
        AtomicFiles.writeString(b.resolve("duration"), "31");
        AtomicFiles.write(b.resolve("log.br"), Brotli.compress(LOG_TEXT.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(b.resolve("full_log.br"), Brotli.compress(FULL_LOG_TEXT.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(b.resolve(".log.br.lease-1.0.part"), "partial");
        Files.writeString(b.resolve("status.0a1b2c3d.new"), "temp");
        Path c = od.keyDir(m(5), "k.c");
        AtomicFiles.writeString(c.resolve("status"), "FAILED TO RUN\n");
        AtomicFiles.writeString(c.resolve("duration"), "0");
        AtomicFiles.write(c.resolve("full_log.br"), Brotli.compress(FailedToRunLog.render(m(5), "k.c", FTR_REASON)
                .getBytes(StandardCharsets.UTF_8)));
        Path a = od.keyDir(m(5), "k.a");
        AtomicFiles.writeString(a.resolve("status"), "========= PASSED a in 13s\n");
        AtomicFiles.symlink(a.resolve("full_log.br"), Paths.get("../k.b/full_log.br"));
        Path d = od.keyDir(m(5), "k.d");
        Files.createDirectories(d);
        Files.write(d.resolve("status"), new byte[0]);
        AtomicFiles.writeString(od.keyDir(m(5), "k..dots").resolve("status"), "Passed\n");
        Files.writeString(root.resolve("secret"), "do not serve");
        Path escape = od.keyDir(m(5), "k.escape");
        Files.createDirectories(escape);
        Files.createSymbolicLink(escape.resolve("full_log.br"), Paths.get("../../../secret"));
        Path outside = root.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("status"), "outside");
        Files.createSymbolicLink(od.keyDir(m(5), "k.dirlink"), outside);
        Files.writeString(out.resolve("ci-daemon-status.json"), "{}");
        Files.writeString(out.resolve(".ktest-ci-projection-offset"), "7");
        Files.createDirectories(out.resolve("abcdef1" + "0".repeat(33)));
        Files.createDirectories(out.resolve("abcdef1" + "1".repeat(33)));
        Files.createDirectories(out.resolve("f".repeat(40))); // results directory without a blob
    }

    String gitMessage(int i) {
        return i == 5 ? HOSTILE_MESSAGE : "main commit " + i + "\n\nbody " + i + "\n";
    }

    private static ResultEntry e(String key, Status s, long duration) {
        return new ResultEntry(key, s, duration, s == Status.INPROGRESS ? 0 : T0 + duration);
    }

    private void blob(String sha, String message, List<ResultEntry> entries) throws IOException {
        CommitResultsCodec.writeAtomically(new OutputDir(out).blob(sha), new CommitResults(sha, message, entries));
    }

    // ---- the coordinator's view ------------------------------------------------------------------------

    /** Answers from the fixture's repository; records the threads it is called on. */
    final class Queries implements CiQueries {
        private void called() {
            queryCalls.incrementAndGet();
            queryThreads.add(Thread.currentThread().getName());
        }

        @Override
        public String user() {
            return "ci";
        }

        @Override
        public Map<String, org.ktestci.schema.results.FirstBad> firstBad(String sha) {
            return firstBad.getOrDefault(sha, Map.of());
        }

        @Override
        public Map<String, List<Observation>> reruns(String sha) {
            return reruns.getOrDefault(sha, Map.of());
        }

        @Override
        public int flakeWindow() {
            return 3;
        }

        @Override
        public List<KnownIssue> knownIssues() {
            return List.copyOf(known);
        }

        /** main is a chain: a commit contains the ones before it. */
        @Override
        public boolean commitContains(String sha, String ancestor) {
            int s = main.indexOf(sha);
            int a = main.indexOf(ancestor);
            return s >= 0 && a >= 0 && s >= a;
        }

        @Override
        public Path outputDir() {
            return out;
        }

        @Override
        public int keepResultsCommits() {
            return 500;
        }

        @Override
        public List<BranchSummary> branches() {
            called();
            return List.of(
                    new BranchSummary("main", "linux", "https://***@git.example.org/linux.git master", List.of("quick"),
                            Optional.of(m(5)), Optional.of("fix <script>alert('x')</script> & \"q\""),
                            Optional.of(Instant.parse("2026-01-02T03:04:05.678Z")), Optional.empty()),
                    new BranchSummary("long", "linux", "/srv/long.git long", List.of(),
                            Optional.of(longBranch.get(102)), Optional.of("chain commit 102"), Optional.empty(),
                            Optional.of("fatal: <could not read>")),
                    new BranchSummary("hundred", "linux", "/srv/h.git h", List.of(), Optional.of(hundred.get(101)),
                            Optional.of("chain commit 101"), Optional.empty(), Optional.empty()));
        }

        @Override
        public Optional<List<CommitInfo>> branchLog(String branch, int max) {
            called();
            if (branch.equals("boom")) {
                throw new IllegalStateException("secret detail /etc/ktest-ci.toml");
            }
            if (branch.equals("down")) {
                throw new CiUnavailable("ask timed out after 5 s");
            }
            try {
                Optional<ObjectId> tip = CommitLog.branchTip(repo, "ci", branch);
                return tip.isEmpty() ? Optional.empty() : Optional.of(CommitLog.walk(repo, tip.get(), max));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Optional<CommitInfo> commit(String sha) {
            called();
            try {
                return CommitLog.lookup(repo, sha);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<String> branchesContaining(String sha) {
            called();
            List<String> names = new ArrayList<>();
            for (BranchSummary b : branches()) {
                if (branchLog(b.name(), keepResultsCommits()).orElse(List.of()).stream()
                        .anyMatch(c -> c.sha().equals(sha))) {
                    names.add(b.name());
                }
            }
            return names;
        }

        @Override
        public Optional<String> viewsVersion() {
            StringBuilder v = new StringBuilder();
            for (String b : List.of("main", "long", "hundred")) {
                try {
                    v.append(CommitLog.branchTip(repo, "ci", b).map(ObjectId::getName).orElse("-")).append(' ');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (!known.isEmpty()) {
                v.append(known.hashCode()); // as the coordinator's: a kept page must see an issue change
            }
            if (!reruns.isEmpty()) {
                v.append(reruns.hashCode()); // as the coordinator's index changes count
            }
            return Optional.of(v.toString());
        }

        @Override
        public Map<String, ResultDetail> resultDetails(String sha) {
            called();
            if (!sha.equals(m(5))) {
                return Map.of();
            }
            return Map.of("k.b", new ResultDetail(Optional.of("========= FAILED b in 31s"), Optional.of("farm1"),
                    Optional.of(3), Optional.of("aarch64"), Optional.of(2), Optional.of(T0 + 3600),
                    Optional.of("runner=qemu")));
        }
    }

    static String sha12(String sha) {
        return sha.substring(0, 12);
    }
}
