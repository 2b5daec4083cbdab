package org.ktestci.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.ktestci.coordinator.execution.ArtifactStore;
import org.ktestci.coordinator.execution.Executor;
import org.ktestci.coordinator.execution.SlotId;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.coordinator.journal.JournalSchema;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictListener;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.TailBudget;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lease and verdict throughput through the real JobWindow, Executors and results entities, with zero-work
 * slots ({@link ZeroWorkSlot}): how many batches the coordinator can lease and how many verdicts it can record
 * per second, on the in-memory journal (the actors' own cost) and on the H2 file journal (the default setup).
 */
public final class LeaseBench {
    private static final int SLOTS = 60;

    /** The farm: {@code hosts} × {@code slotsPerHost} slots; {@code detail} prints latency, depth, refill, heap. */
    record Farm(int hosts, int slotsPerHost, boolean detail, Duration batchTakes, double jitter) {
        Farm(int hosts, int slotsPerHost, boolean detail) {
            this(hosts, slotsPerHost, detail, Duration.ZERO, 0);
        }

        int slots() {
            return hosts * slotsPerHost;
        }
    }

    static final Farm SMALL = new Farm(3, 20, false);
    /** Claims sent this long after the start show the steady state (the first round is one burst of every slot). */
    private static final Duration STEADY_AFTER = Duration.ofSeconds(30);

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
        // keep_results_commits 0, the planner's default: a commit is live only within the shallow walk.
        return new OneBranchRefill(b, () -> history, subtests, index, key -> 60, 0);
    }

    /**
     * What a run measured: verdicts recorded per second of wall time, and this JVM's CPU time per verdict (all its
     * threads: actors, journal, JIT, GC), which other processes on a shared machine disturb far less.
     */
    record Result(double verdictsPerSecond, double cpuMicrosPerVerdict) {}

    /** Runs one setup on the 60-slot farm. */
    static Result run(String name, Config config, int batchSize, long verdictsWanted) throws Exception {
        return run(name, config, batchSize, verdictsWanted, true, SMALL);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Result run(String name, Config config, int batchSize, long verdictsWanted, boolean print, Farm farm)
            throws Exception {
        ActorTestKit kit = ActorTestKit.create("LeaseBench", config.withFallback(ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.actor.provider = local\n"
                        + "bench-window-mailbox.mailbox-type = \"org.ktestci.bench.DepthMailbox\""))
                .withFallback(ConfigFactory.load()));
        Path out = TempDirs.create("ktest-ci-bench-out");
        try {
            if (config.hasPath("pekko-persistence-jdbc.shared-databases.slick.db.url")) {
                JournalSchema.createIfMissing(kit.system());
                JournalSql.run(kit.system(), config);
            }
            ResultsIndex index = new ResultsIndex();
            AtomicLong verdicts = new AtomicLong();
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe(); // rendering is measured elsewhere
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            ActorRef<ResultsStore.Command> results = kit.spawn(ResultsStore.create(index, new OutputDir(out),
                    s -> CompletableFuture.completedFuture(List.of()), projector.ref(), ready.ref(),
                    id -> { }, new VerdictListener() {
                        @Override
                        public void recorded(Status status) {
                            verdicts.incrementAndGet();
                        }
                    }), "results");
            ready.receiveMessage(Duration.ofSeconds(60));
            CoordinatorMetrics metrics = CoordinatorMetrics.standalone();
            // A window several batches per slot deep (the default 2000 for the smaller batches), as a farm would set it.
            int windowSize = Math.max(2000, 3 * farm.slots() * batchSize);
            // Fixed batch sizes: the adaptive tail budget would shrink them (a commit's 500 jobs spread over the slots).
            SchedulerSettings settings = SchedulerSettings.defaults().withBudget(60 * batchSize)
                    .withFairShare(Duration.ZERO).withWindow(windowSize, windowSize / 4)
                    .withTailBudget(TailBudget.OFF);
            DepthMailbox.reset();
            ActorRef<JobWindow.Command> window = kit.spawn(JobWindow.create("bench-window", settings,
                    source(index), results, index, metrics), "window",
                    MailboxSelector.fromConfig("bench-window-mailbox"));
            Map<String, String> hostArches = new TreeMap<>();
            for (int h = 1; h <= farm.hosts(); h++) {
                hostArches.put("h" + h, "x86_64");
            }
            window.tell(new JobWindow.HostsChanged(hostArches));
            ClaimTimer timer = new ClaimTimer();
            ActorRef<JobWindow.Command> claims = kit.spawn(timer.proxy(window), "claim-timer");
            ActorRef<ArtifactStore.Command> artifacts = kit.spawn(ArtifactStore.create(new OutputDir(out)));
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            List<ActorRef<?>> slots = new ArrayList<>();
            for (int i = 0; i < farm.slots(); i++) {
                ActorRef<AgentMessage> agent = kit.spawn(ZeroWorkSlot.create(farm.batchTakes(), farm.jitter(), i));
                slots.add(agent);
                slots.add(kit.spawn(Executor.create(new SlotId("h" + (1 + i / farm.slotsPerHost()),
                                i % farm.slotsPerHost()), "x86_64", agent, claims, results, artifacts, settings, metrics,
                        Optional.empty())));
            }
            List<Integer> depths = new ArrayList<>();
            long refillMaxMs = 0;
            TestProbe<JobWindow.QueueSummary> queueProbe = kit.createTestProbe();
            long nextQueueAsk = 0;
            while (verdicts.get() < verdictsWanted) {
                Thread.sleep(5);
                depths.add(DepthMailbox.depth());
                if (farm.detail() && System.nanoTime() > nextQueueAsk) {
                    // The longest refill so far (asked every 200 ms; the answer waits in the mailbox like any claim).
                    window.tell(new JobWindow.GetQueue(queueProbe.ref()));
                    JobWindow.QueueSummary q = queueProbe.receiveMessage(Duration.ofSeconds(60));
                    if (q.lastRefill() != null) {
                        refillMaxMs = Math.max(refillMaxMs, q.lastRefill().durationMs());
                    }
                    nextQueueAsk = System.nanoTime() + 200_000_000L;
                }
                if (System.nanoTime() - start > Duration.ofSeconds(Long.getLong("bench.timeout", 300)).toNanos()) {
                    TestProbe<JobWindow.QueueSummary> q = kit.createTestProbe();
                    window.tell(new JobWindow.GetQueue(q.ref()));
                    throw new IllegalStateException("benchmark stalled at " + verdicts.get() + " verdicts: "
                            + q.receiveMessage());
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double leases = metrics.leasesGranted.get();
            Result result = new Result(verdicts.get() / secs,
                    (processCpuNanos() - cpuStart) / 1e3 / Math.max(1, verdicts.get()));
            if (print) {
                System.out.printf(Locale.ROOT, "%-44s batches of %3d: %8.0f leases/s %9.0f verdicts/s "
                                + "(%d verdicts in %.1f s, CPU %.0f us/verdict)%n", name, batchSize, leases / secs,
                        result.verdictsPerSecond(), verdicts.get(), secs, result.cpuMicrosPerVerdict());
            }
            if (print && farm.detail()) {
                Collections.sort(depths);
                System.gc();
                Runtime rt = Runtime.getRuntime();
                System.out.printf(Locale.ROOT, "%-44s grant latency p50 %.1f ms, p99 %.1f ms (%d claims); JobWindow "
                                + "mailbox depth p50 %d, p99 %d, highest %d; longest refill %d ms; heap after GC %d MiB%n",
                        "", timer.quantileMs(0.5), timer.quantileMs(0.99), timer.count(),
                        depths.get(depths.size() / 2), depths.get(Math.min(depths.size() - 1, depths.size() * 99 / 100)),
                        DepthMailbox.highest(), refillMaxMs, (rt.totalMemory() - rt.freeMemory()) >> 20);
                // Every slot claims at start-up at once; later claims show the steady state.
                long steady = start + STEADY_AFTER.toNanos();
                System.out.printf(Locale.ROOT, "%-44s claims sent %d s or more after the start: grant latency p50 %.1f ms, "
                                + "p99 %.1f ms (%d claims)%n", "", STEADY_AFTER.toSeconds(), timer.quantileMs(0.5, steady),
                        timer.quantileMs(0.99, steady), timer.count(steady));
                System.out.printf(Locale.ROOT, "%-44s JobWindow writes: %s%n", "", WindowWrites.breakdown(metrics, leases));
            }
            // Let the journal finish the writes in flight, so shutting down interrupts none of them.
            slots.forEach(kit::stop);
            long seen = -1;
            while (seen != verdicts.get()) {
                seen = verdicts.get();
                Thread.sleep(300);
            }
            return result;
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** A fresh H2 journal: a run must not recover the previous run's window. */
    static Config h2() throws Exception {
        Path h2 = TempDirs.create("ktest-ci-bench-h2");
        return JournalConfig.build(new PersistenceConfig(PersistenceConfig.Journal.H2, h2.resolve("journal"),
                Optional.empty(), "ktest_ci", Optional.empty()));
    }

    /**
     * Pekko's plain in-memory journal (not the persistence testkit's, whose writes cost O(events so far)), with a
     * fresh snapshot directory: a run must not recover the previous run's window.
     */
    static Config memory() throws Exception {
        Path snapshots = TempDirs.create("ktest-ci-bench-snapshots");
        return ConfigFactory.parseString(
                "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                        + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                        + "pekko.persistence.snapshot-store.local.dir = \"" + snapshots + "\"\n");
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("scale")) {
            // 1,000 slots on 50 hosts (issue 15 item 6): the same actors, with what a larger farm adds.
            Farm big = new Farm(50, 20, true);
            System.out.println("leases and verdicts: " + big.slots() + " zero-work slots on " + big.hosts()
                    + " hosts, real JobWindow/Executor/CommitResults");
            // bench/run leases scale [saturated|paced|spread]: that part alone.
            String only = args.length > 1 ? args[1] : "all";
            run("warm-up (JIT)", memory(), 10, 40_000, false, big);
            if (only.equals("all") || only.equals("saturated")) {
                run("in-memory journal, saturated", memory(), 10, 100_000, true, big);
                run("H2 file journal (default), saturated", h2(), 10, 100_000, true, big);
            }
            if (only.equals("all") || only.equals("paced")) {
                // Below saturation: each batch holds its slot 10 s (100 claims/s; a real farm with 10-minute batches
                // makes under 2), so latency is the window's own, not a queue of 1,000 slots claiming at once. The
                // slots started together stay in step: each round's claims come in one burst.
                Farm paced = new Farm(50, 20, true, Duration.ofSeconds(10), 0);
                run("H2 file journal (default), batches of 10 s", h2(), 10, 60_000, true, paced);
            }
            if (only.equals("all") || only.equals("spread")) {
                // The same rate with batch times spread ±50 % (5 – 15 s) and heartbeats: the slots drift apart as a
                // real farm's do, so after the first rounds claims come spread out rather than in one burst.
                Farm spread = new Farm(50, 20, true, Duration.ofSeconds(10), 0.5);
                run("H2 file journal (default), batches of 5 – 15 s", h2(), 10, 90_000, true, spread);
            }
            return;
        }
        System.out.println("leases and verdicts: " + SLOTS + " zero-work slots on 3 hosts, real JobWindow/Executor/"
                + "CommitResults");
        run("warm-up (JIT)", memory(), 10, 40_000, false, SMALL);
        run("in-memory journal", memory(), 1, 10_000);
        run("in-memory journal", memory(), 10, 40_000);
        run("in-memory journal", memory(), 50, 100_000);
        run("H2 file journal (default setup)", h2(), 1, 10_000);
        run("H2 file journal (default setup)", h2(), 10, 40_000);
        run("H2 file journal (default setup)", h2(), 50, 100_000);
    }
}
