package org.ktestci.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.coordinator.execution.ArtifactStore;
import org.ktestci.coordinator.execution.Executor;
import org.ktestci.coordinator.execution.SlotId;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.coordinator.journal.JournalSchema;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.WindowPlanner;
import org.ktestci.coordinator.scheduling.ArchConstraint;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Lease and verdict throughput through the real JobWindow, Executors and results entities, with zero-work
 * slots ({@link ZeroWorkSlot}): how many batches the coordinator can lease and how many verdicts it can record
 * per second, on the in-memory journal (the actors' own cost) and on the H2 file journal (the default setup).
 */
public final class LeaseBench {
    private static final int SLOTS = 60;

    /** 400 commits × 500 subtests of one group, verdicts from the real results index. */
    private static RefillSource source(ResultsIndex index) {
        List<String> history = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            history.add(String.format(Locale.ROOT, "%040x", 0x2000000L + i));
        }
        List<String> subtests = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            subtests.add("s" + i);
        }
        GroupSpec g = new GroupSpec("g", List.of("t.ktest"), 400, 0, List.of(), new TreeMap<>(), List.of());
        BranchSpec b = new BranchSpec("main", "linux", Path.of("/r"), "", "/up", "main", List.of(g));
        WindowPlanner planner = new WindowPlanner();
        return new RefillSource() {
            @Override
            public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> arches, int window,
                                              Map<String, ArchConstraint> constraints, Set<String> pending)
                    throws IOException {
                return planner.compute(new WindowPlanner.Inputs() {
                    public List<BranchSpec> branches() {
                        return List.of(b);
                    }

                    public Optional<List<String>> history(BranchSpec x, int depth) {
                        return Optional.of(history.subList(0, Math.min(depth, history.size())));
                    }

                    public Optional<List<String>> subtests(String test) {
                        return Optional.of(subtests);
                    }

                    public boolean hasVerdict(String commit, String key) {
                        return index.hasVerdict(commit, key);
                    }

                    public boolean isLeased(JobKey key) {
                        return excluded.test(key);
                    }

                    public Set<String> archesWithSlots() {
                        return arches;
                    }

                    public int costOf(String key) {
                        return 60;
                    }
                }, window, pending);
            }
        };
    }

    private static void run(String name, Config config, int batchSize, long verdictsWanted) throws Exception {
        run(name, config, batchSize, verdictsWanted, true);
    }

    private static void run(String name, Config config, int batchSize, long verdictsWanted, boolean print)
            throws Exception {
        ActorTestKit kit = ActorTestKit.create("LeaseBench", config.withFallback(ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.actor.provider = local")).withFallback(ConfigFactory.load()));
        Path out = TempDirs.create("ktest-ci-bench-out");
        try {
            if (config.hasPath("pekko-persistence-jdbc.shared-databases.slick.db.url")) {
                JournalSchema.createIfMissing(kit.system());
            }
            ResultsIndex index = new ResultsIndex();
            AtomicLong verdicts = new AtomicLong();
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe(); // rendering is measured elsewhere
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            ActorRef<ResultsStore.Command> results = kit.spawn(ResultsStore.create(index, new OutputDir(out),
                    s -> CompletableFuture.completedFuture(List.of()), projector.ref(), ready.ref(),
                    id -> { }, new ResultsStore.Listener() {
                        @Override
                        public void recorded(Status status) {
                            verdicts.incrementAndGet();
                        }
                    }), "results");
            ready.receiveMessage(Duration.ofSeconds(60));
            CoordinatorMetrics metrics = CoordinatorMetrics.standalone();
            // A window several batches per slot deep (the default 2000 for the smaller batches), as a farm would set it.
            int windowSize = Math.max(2000, 3 * SLOTS * batchSize);
            SchedulerSettings settings = SchedulerSettings.defaults().withBudget(60 * batchSize)
                    .withFairShare(Duration.ZERO).withWindow(windowSize, windowSize / 4);
            ActorRef<JobWindow.Command> window = kit.spawn(JobWindow.create("bench-window", settings,
                    source(index), results, index, metrics), "window");
            window.tell(new JobWindow.HostsChanged(Map.of("h1", "x86_64", "h2", "x86_64", "h3", "x86_64")));
            ActorRef<ArtifactStore.Command> artifacts = kit.spawn(ArtifactStore.create(new OutputDir(out)));
            long start = System.nanoTime();
            List<ActorRef<?>> slots = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                ActorRef<AgentMessage> agent = kit.spawn(ZeroWorkSlot.create());
                slots.add(agent);
                slots.add(kit.spawn(Executor.create(new SlotId("h" + (1 + i / 20), i % 20), "x86_64", agent, window,
                        results, artifacts, settings, metrics, Optional.empty())));
            }
            while (verdicts.get() < verdictsWanted) {
                Thread.sleep(5);
                if (System.nanoTime() - start > Duration.ofSeconds(Long.getLong("bench.timeout", 300)).toNanos()) {
                    TestProbe<JobWindow.QueueSummary> q = kit.createTestProbe();
                    window.tell(new JobWindow.GetQueue(q.ref()));
                    throw new IllegalStateException("benchmark stalled at " + verdicts.get() + " verdicts: "
                            + q.receiveMessage());
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double leases = metrics.leasesGranted.get();
            if (print) {
                System.out.printf(Locale.ROOT, "%-44s batches of %3d: %8.0f leases/s %9.0f verdicts/s "
                                + "(%d verdicts in %.1f s)%n", name, batchSize, leases / secs, verdicts.get() / secs,
                        verdicts.get(), secs);
            }
            // Let the journal finish the writes in flight, so shutting down interrupts none of them.
            slots.forEach(kit::stop);
            long seen = -1;
            while (seen != verdicts.get()) {
                seen = verdicts.get();
                Thread.sleep(300);
            }
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** A fresh H2 journal: a run must not recover the previous run's window. */
    private static Config h2() throws Exception {
        Path h2 = TempDirs.create("ktest-ci-bench-h2");
        return JournalConfig.build(new PersistenceConfig(PersistenceConfig.Journal.H2, h2.resolve("journal"),
                Optional.empty(), "ktest_ci", Optional.empty()));
    }

    /**
     * Pekko's plain in-memory journal (not the persistence testkit's, whose writes cost O(events so far)), with a
     * fresh snapshot directory: a run must not recover the previous run's window.
     */
    private static Config memory() throws Exception {
        Path snapshots = TempDirs.create("ktest-ci-bench-snapshots");
        return ConfigFactory.parseString(
                "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                        + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                        + "pekko.persistence.snapshot-store.local.dir = \"" + snapshots + "\"\n");
    }

    public static void main(String[] args) throws Exception {
        System.out.println("leases and verdicts: " + SLOTS + " zero-work slots on 3 hosts, real JobWindow/Executor/"
                + "CommitResults");
        run("warm-up (JIT)", memory(), 10, 40_000, false);
        run("in-memory journal", memory(), 1, 10_000);
        run("in-memory journal", memory(), 10, 40_000);
        run("in-memory journal", memory(), 50, 100_000);
        run("H2 file journal (default setup)", h2(), 1, 10_000);
        run("H2 file journal (default setup)", h2(), 10, 40_000);
        run("H2 file journal (default setup)", h2(), 50, 100_000);
    }
}
