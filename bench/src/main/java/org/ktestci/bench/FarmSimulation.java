package org.ktestci.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.ArchConstraint;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.WindowPlanner;
import org.ktestci.schema.keys.ResultKeys;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * A farm of simulated slots driven by the real scheduler: the {@link JobWindow} actor (refills through the
 * {@link WindowPlanner}, claims, packing, grants, lease ends, its journal) and the real results entities, on a
 * virtual clock. Each slot claims like an {@code Executor}; a granted batch occupies it for a VM boot plus the
 * batch's actual subtest durations, after which its verdicts are recorded and the lease ends. The clock only
 * moves once the window is quiescent (no refill running, every idle slot's claim granted or parked), so the
 * coordinator's own latency counts as zero: that cost is what {@link LeaseBench} measures.
 *
 * <p>Scenario: commit c0 is being tested when, after {@code HEAD_AT} seconds, a new head c1 arrives. Reported:
 * slot utilisation until c1's last verdict, VM boots per subtest, and c1's makespan (new head → its last verdict)
 * against the ideal, c1's total subtest time divided by the number of slots.
 */
public final class FarmSimulation {
    private static final int HOSTS = 3;
    private static final int SLOTS_PER_HOST = 20;
    private static final int BOOT_SECS = 30;
    private static final int TEST_FILES = 13;
    private static final int SUBTESTS_PER_FILE = 1000;
    private static final long HEAD_AT = 3600;

    /** Estimated (per-key average) and actual seconds of every result key of one commit. */
    record Workload(List<String> tests, List<String> subtests, Map<String, Integer> estimate, Random noise) {
        /**
         * Skewed durations: log-normal, median 20 s, σ = 1 (mean ≈ 33 s, 1 % over 200 s), clipped to 1 s … 30 min;
         * a run differs from the key's average by a log-normal factor (σ = 0.15).
         */
        static Workload generate(long seed) {
            Random r = new Random(seed);
            List<String> tests = new ArrayList<>();
            List<String> subtests = new ArrayList<>();
            Map<String, Integer> estimate = new HashMap<>();
            for (int t = 0; t < TEST_FILES; t++) {
                tests.add(String.format(Locale.ROOT, "tests/fs/xfstests-%02d.ktest", t));
            }
            for (int s = 0; s < SUBTESTS_PER_FILE; s++) {
                subtests.add(String.format(Locale.ROOT, "generic/%04d", s));
            }
            for (String t : tests) {
                for (String s : subtests) {
                    double secs = 20 * Math.exp(r.nextGaussian());
                    estimate.put(ResultKeys.key(t, "", Map.of(), "", s), (int) Math.max(1, Math.min(1800, secs)));
                }
            }
            return new Workload(tests, subtests, estimate, new Random(seed + 1));
        }

        int actual(String key) {
            return (int) Math.max(1, Math.round(estimate.get(key) * Math.exp(0.15 * noise.nextGaussian())));
        }
    }

    /** What the refill sees: one branch, the given history (newest first), the recorded verdicts. */
    private static RefillSource source(Workload w, ResultsIndex index, List<String> history) {
        GroupSpec g = new GroupSpec("xfstests", w.tests(), 2, 0, List.of(), new TreeMap<>(), List.of());
        BranchSpec b = new BranchSpec("bcachefs-testing", "linux", Path.of("/r"), "", "/up", "bcachefs-testing",
                List.of(g));
        WindowPlanner planner = new WindowPlanner();
        return new RefillSource() {
            @Override
            public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> arches, int window,
                                              Map<String, ArchConstraint> constraints, Set<String> pending)
                    throws IOException {
                List<String> h;
                synchronized (history) {
                    h = List.copyOf(history);
                }
                return planner.compute(new WindowPlanner.Inputs() {
                    public List<BranchSpec> branches() {
                        return List.of(b);
                    }

                    public Optional<List<String>> history(BranchSpec x, int depth) {
                        return Optional.of(h.subList(0, Math.min(depth, h.size())));
                    }

                    public Optional<List<String>> subtests(String test) {
                        return Optional.of(w.subtests());
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
                        return w.estimate().get(key);
                    }
                }, window, pending);
            }
        };
    }

    private record Slot(String host, int index) {}

    private record Finish(long at, Slot slot, LeaseGrant grant, List<Integer> durations) {}

    /** Figures of one run. */
    record Outcome(int budget, double utilisation, double usefulShare, double bootsPerSubtest, long makespan,
                   long ideal, long firstGrantAfterHead, long leases, double wallSecs, long c1BootSecs,
                   long olderInFlightSecs, long olderLaterSecs) {}

    static Outcome run(int budget, long seed) throws Exception {
        Path snapshots = TempDirs.create("ktest-ci-farm-snapshots");
        Config config = ConfigFactory.parseString(
                "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                        + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                        + "pekko.persistence.snapshot-store.local.dir = \"" + snapshots + "\"\n"
                        + "pekko.loglevel = WARNING\npekko.actor.provider = local\n")
                .withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create("FarmSimulation", config);
        long wallStart = System.nanoTime();
        try {
            Workload w = Workload.generate(seed);
            ResultsIndex index = new ResultsIndex();
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe(); // rendering is not simulated
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            Path out = TempDirs.create("ktest-ci-farm-out");
            ActorRef<ResultsStore.Command> results = kit.spawn(ResultsStore.create(index, new OutputDir(out),
                    s -> CompletableFuture.completedFuture(List.of()), projector.ref(), ready.ref()), "results");
            ready.receiveMessage(Duration.ofSeconds(60));

            String c0 = String.format(Locale.ROOT, "%040x", 0xc0L);
            String c1 = String.format(Locale.ROOT, "%040x", 0xc1L);
            List<String> history = new ArrayList<>(List.of(c0));
            SchedulerSettings settings = SchedulerSettings.defaults().withBudget(budget);
            CoordinatorMetrics metrics = CoordinatorMetrics.standalone();
            ActorRef<JobWindow.Command> window = kit.spawn(JobWindow.create("farm-window", settings,
                    source(w, index, history), results, index, metrics), "window");
            Map<String, String> hosts = new TreeMap<>();
            List<Slot> slots = new ArrayList<>();
            for (int h = 1; h <= HOSTS; h++) {
                hosts.put("farm" + h, "x86_64");
                for (int s = 0; s < SLOTS_PER_HOST; s++) {
                    slots.add(new Slot("farm" + h, s));
                }
            }
            window.tell(new JobWindow.HostsChanged(hosts));

            ConcurrentLinkedQueue<BatchOffer> offers = new ConcurrentLinkedQueue<>();
            ActorRef<BatchOffer> offersRef = kit.spawn(inbox(offers), "slots");
            TestProbe<ResultsStore.VerdictOutcome> recorded = kit.createTestProbe();
            TestProbe<JobWindow.QueueSummary> queue = kit.createTestProbe();
            PriorityQueue<Finish> running = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
            Map<Slot, Boolean> idle = new HashMap<>();
            slots.forEach(s -> idle.put(s, true));
            Map<String, Slot> bySlotName = new HashMap<>();
            slots.forEach(s -> bySlotName.put(s.host() + ":" + s.index(), s));

            long now = 0;
            long busySlotSecs = 0;
            long testSlotSecs = 0;
            long boots = 0;
            long subtestsRun = 0;
            long c1Work = 0;
            long c1Boots = 0;
            // Slot-seconds of c0 batches inside (head, c1's last verdict]: already running at the head, or started later.
            long olderInFlight = 0;
            long olderLater = 0;
            long c1Remaining = -1;
            long c1Done = -1;
            boolean headSent = false;
            for (Slot s : slots) {
                window.tell(new JobWindow.ClaimBatch(s.host(), s.index(), "x86_64", offersRef));
            }
            while (c1Done < 0) {
                awaitQuiescence(window, queue, offers, idle, bySlotName, running, w, now);
                if (!headSent && (running.isEmpty() || running.peek().at() >= HEAD_AT)) {
                    now = HEAD_AT;
                    synchronized (history) {
                        history.add(0, c1);
                    }
                    c1Remaining = w.estimate().size();
                    headSent = true;
                    window.tell(new JobWindow.TipsChanged("bcachefs-testing", c0, c1, false));
                    continue;
                }
                Finish f = running.poll();
                if (f == null) {
                    throw new IllegalStateException("the farm stalled at t=" + now + " s with nothing running");
                }
                now = f.at();
                int total = f.durations().stream().mapToInt(Integer::intValue).sum();
                busySlotSecs += BOOT_SECS + total;
                testSlotSecs += total;
                boots++;
                subtestsRun += f.grant().jobs().size();
                boolean isC1 = f.grant().commit().equals(c1);
                if (!isC1 && headSent) {
                    long started = now - BOOT_SECS - total;
                    if (started < HEAD_AT) {
                        olderInFlight += now - HEAD_AT;
                    } else {
                        olderLater += now - started;
                    }
                }
                if (isC1) {
                    c1Boots++;
                    c1Work += total;
                    c1Remaining -= f.grant().jobs().size();
                }
                Set<String> keys = new HashSet<>();
                List<Job> jobs = f.grant().jobs();
                for (int i = 0; i < jobs.size(); i++) {
                    Job j = jobs.get(i);
                    results.tell(new ResultsStore.Verdict(f.grant().commit(), j.resultKey(), f.grant().leaseId(),
                            f.grant().epoch(), "========= PASSED " + j.key().subtest() + " in " + f.durations().get(i)
                            + "s", f.durations().get(i), now, now, j.resultKey(), "", i, recorded.ref()));
                    keys.add(j.resultKey());
                }
                for (int i = 0; i < jobs.size(); i++) {
                    String o = recorded.receiveMessage(Duration.ofSeconds(30)).outcome();
                    if (!o.equals("recorded")) {
                        throw new IllegalStateException("verdict not recorded: " + o);
                    }
                }
                window.tell(new JobWindow.LeaseEnded(f.grant().leaseId(), "COMPLETED", "", Map.of(), keys));
                idle.put(f.slot(), true);
                window.tell(new JobWindow.ClaimBatch(f.slot().host(), f.slot().index(), "x86_64", offersRef));
                if (isC1 && c1Remaining == 0) {
                    c1Done = now;
                }
            }
            // Slot time until c1's last verdict: batches still running then count up to that moment.
            for (Finish f : running) {
                long started = f.at() - BOOT_SECS - f.durations().stream().mapToInt(Integer::intValue).sum();
                busySlotSecs += Math.max(0, c1Done - started);
                if (!f.grant().commit().equals(c1)) {
                    if (started < HEAD_AT) {
                        olderInFlight += c1Done - HEAD_AT;
                    } else {
                        olderLater += Math.max(0, c1Done - started);
                    }
                }
                testSlotSecs += Math.max(0, c1Done - started - BOOT_SECS);
            }
            long ideal = c1Work / slots.size();
            return new Outcome(budget, busySlotSecs / (double) (slots.size() * c1Done),
                    testSlotSecs / (double) (slots.size() * c1Done), boots / (double) subtestsRun, c1Done - HEAD_AT,
                    ideal, firstC1Grant - HEAD_AT, boots, (System.nanoTime() - wallStart) / 1e9, c1Boots * BOOT_SECS,
                    olderInFlight, olderLater);
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static long firstC1Grant = -1;

    /**
     * Waits until the window has answered every idle slot's claim (a grant, or parked because nothing is
     * eligible) and no refill is running; starts a simulated run for every grant. Asked twice in a row, so a
     * refill the window requested of itself while answering the first query is seen by the second.
     */
    private static void awaitQuiescence(ActorRef<JobWindow.Command> window, TestProbe<JobWindow.QueueSummary> queue,
                                        ConcurrentLinkedQueue<BatchOffer> offers, Map<Slot, Boolean> idle,
                                        Map<String, Slot> bySlotName, PriorityQueue<Finish> running, Workload w,
                                        long now) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int quiet = 0;
        while (quiet < 2) {
            window.tell(new JobWindow.GetQueue(queue.ref()));
            JobWindow.QueueSummary q = queue.receiveMessage(Duration.ofSeconds(30));
            while (true) {
                List<BatchOffer> got = drain(offers);
                if (got.isEmpty()) {
                    break;
                }
                for (BatchOffer m : got) {
                    LeaseGrant g = m.grant();
                    Slot s = bySlotName.get(g.host() + ":" + g.slot());
                    idle.put(s, false);
                    List<Integer> d = new ArrayList<>();
                    long total = BOOT_SECS;
                    for (Job j : g.jobs()) {
                        int secs = w.actual(j.resultKey());
                        d.add(secs);
                        total += secs;
                    }
                    if (firstC1Grant < 0 && g.commit().endsWith("c1")) {
                        firstC1Grant = now;
                    }
                    running.add(new Finish(now + total, s, g, d));
                }
            }
            long idleCount = idle.values().stream().filter(b -> b).count();
            quiet = !q.refilling() && q.parkedClaims() == idleCount ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the window did not settle: " + q + ", idle slots " + idleCount);
            }
        }
    }

    private static List<BatchOffer> drain(ConcurrentLinkedQueue<BatchOffer> inbox) {
        List<BatchOffer> got = new ArrayList<>();
        for (BatchOffer m; (m = inbox.poll()) != null; ) {
            got.add(m);
        }
        return got;
    }

    /** The slots' mailbox: offers land in a queue the simulation thread reads. */
    private static Behavior<BatchOffer> inbox(ConcurrentLinkedQueue<BatchOffer> q) {
        return Behaviors.receiveMessage(m -> {
            q.add(m);
            return Behaviors.same();
        });
    }

    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        System.out.printf(Locale.ROOT, "farm: %d slots on %d hosts, %d subtests per commit (log-normal durations, "
                        + "median 20 s), VM boot %d s, new head after %d s; real JobWindow on a virtual clock%n",
                HOSTS * SLOTS_PER_HOST, HOSTS, TEST_FILES * SUBTESTS_PER_FILE, BOOT_SECS, HEAD_AT);
        int slots = HOSTS * SLOTS_PER_HOST;
        for (int budget : new int[] {600, 300, 1200, 1}) {
            firstC1Grant = -1;
            Outcome o = run(budget, seed);
            System.out.printf(Locale.ROOT, "%-36s utilisation %5.1f %% (running subtests %5.1f %%), %.3f boots/subtest, "
                            + "new head: first batch after %d s, last verdict after %d s = %.3f x ideal (%d s); "
                            + "%d leases, %.1f s wall%n",
                    budget == 1 ? "one-subtest batches (baseline)" : "subtest_duration_max = " + budget
                            + (budget == 600 ? " (default)" : ""),
                    100 * o.utilisation(), 100 * o.usefulShare(), o.bootsPerSubtest(), o.firstGrantAfterHead(),
                    o.makespan(), o.makespan() / (double) o.ideal(), o.ideal(), o.leases(), o.wallSecs());
            // Every slot-second of the makespan is c1's subtests, c1's VM boots, or c0's batches: the ones running
            // when the head arrived (never preempted) and, at the end, c0 batches on slots c1 had no job left for.
            System.out.printf(Locale.ROOT, "%-36s makespan = ideal %d s + c1 VM boots %d s + c0 batches running at "
                            + "the head %d s + c0 batches in c1's tail %d s (per slot)%n", "", o.ideal(),
                    o.c1BootSecs() / slots, o.olderInFlightSecs() / slots, o.olderLaterSecs() / slots);
        }
    }
}
